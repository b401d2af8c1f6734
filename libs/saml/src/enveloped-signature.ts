import { KeyObject, X509Certificate } from 'node:crypto';

import type { Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

import { rejectAssertion } from './assertion-rejection';
import { DsigAlgorithm, SamlNs } from './saml-names';
import { allChildElements } from './strict-xml';

const SIGNATURE_ALGORITHMS: readonly string[] = [DsigAlgorithm.RsaSha256, DsigAlgorithm.RsaSha512];
const DIGEST_ALGORITHMS: readonly string[] = [DsigAlgorithm.Sha256, DsigAlgorithm.Sha512];
const CANONICALIZATIONS: readonly string[] = [
  DsigAlgorithm.ExcC14n,
  DsigAlgorithm.ExcC14nWithComments,
];
const MIN_RSA_BITS = 2048;

/** What a valid signature covers: the canonical XML of the one referenced element. */
export interface SignedContent {
  /** Exclusive-canonical XML of the referenced element, the enveloped signature removed. */
  readonly xml: string;
  /** The Reference URI, e.g. `#_abc`. */
  readonly referenceUri: string;
}

/**
 * Verifies the enveloped `signature` in `xml` with each of `certificatesPem` in turn, never with
 * a key the document carries (KeyInfo is ignored), and returns what the first one that verifies
 * has signed, or null when none does. Refuses weak or unexpected algorithms and shapes before
 * any cryptography: one Reference, RSA-SHA256/512, SHA-256/512, exclusive c14n, enveloped.
 */
export function verifyEnvelopedSignature(
  xml: string,
  signature: Element,
  certificatesPem: readonly string[],
): SignedContent | null {
  checkSignatureShape(signature);
  for (const pem of certificatesPem) {
    const key = rsaPublicKey(pem);
    if (!key) continue;
    const verifier = strictVerifier(key);
    try {
      verifier.loadSignature(signature);
    } catch (error) {
      throw rejectAssertion(`malformed signature (${(error as Error).message.slice(0, 200)})`);
    }
    checkAlgorithms(verifier);
    let valid: boolean;
    try {
      valid = verifier.checkSignature(xml);
    } catch {
      valid = false;
    }
    if (!valid) continue;
    // After checkSignature the references are the ones read back from the verified SignedInfo.
    checkAlgorithms(verifier);
    const references = verifier.getReferences();
    const signed = verifier.getSignedReferences();
    if (references.length !== 1 || signed.length !== 1)
      throw rejectAssertion('signature must have one reference');
    return { xml: signed[0], referenceUri: references[0].uri };
  }
  return null;
}

/**
 * XML Signature §4: Signature = SignedInfo, SignatureValue, KeyInfo?; SignedInfo =
 * CanonicalizationMethod, SignatureMethod, exactly one Reference here. Anything else (Object,
 * a second Reference or SignedInfo) is refused, so xml-crypto's lookups cannot pick another node.
 */
function checkSignatureShape(signature: Element): void {
  const names = (parent: Element) =>
    allChildElements(parent).map((e) =>
      e.namespaceURI === SamlNs.XmlDsig ? e.localName : `{${e.namespaceURI}}${e.localName}`,
    );
  const top = names(signature).join(' ');
  if (top !== 'SignedInfo SignatureValue' && top !== 'SignedInfo SignatureValue KeyInfo') {
    throw rejectAssertion(`unexpected Signature content: ${top}`);
  }
  const signedInfo = allChildElements(signature)[0];
  if (names(signedInfo).join(' ') !== 'CanonicalizationMethod SignatureMethod Reference') {
    throw rejectAssertion('SignedInfo must hold exactly one Reference');
  }
}

function checkAlgorithms(verifier: SignedXml): void {
  if (!SIGNATURE_ALGORITHMS.includes(verifier.signatureAlgorithm ?? '')) {
    throw rejectAssertion(`signature algorithm not allowed: ${verifier.signatureAlgorithm}`);
  }
  if (!CANONICALIZATIONS.includes(verifier.canonicalizationAlgorithm ?? '')) {
    throw rejectAssertion(`canonicalization not allowed: ${verifier.canonicalizationAlgorithm}`);
  }
  for (const reference of verifier.getReferences()) {
    if (!DIGEST_ALGORITHMS.includes(reference.digestAlgorithm)) {
      throw rejectAssertion(`digest algorithm not allowed: ${reference.digestAlgorithm}`);
    }
    const [first, second, ...rest] = reference.transforms;
    if (
      first !== DsigAlgorithm.EnvelopedSignature ||
      !CANONICALIZATIONS.includes(second ?? '') ||
      rest.length > 0
    ) {
      throw rejectAssertion(`transforms not allowed: ${reference.transforms.join(' ')}`);
    }
  }
}

/** xml-crypto verifying with `key` only: no key from KeyInfo, only the strong algorithms registered. */
function strictVerifier(key: KeyObject): SignedXml {
  const verifier = new SignedXml({ publicCert: key, getCertFromKeyInfo: () => null });
  verifier.SignatureAlgorithms = pick(verifier.SignatureAlgorithms, SIGNATURE_ALGORITHMS);
  verifier.HashAlgorithms = pick(verifier.HashAlgorithms, DIGEST_ALGORITHMS);
  return verifier;
}

/** The RSA public key of a registered certificate, or null when it cannot be used (too short). */
function rsaPublicKey(pem: string): KeyObject | null {
  try {
    const key = new X509Certificate(pem).publicKey;
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    return key.asymmetricKeyType === 'rsa' && bits >= MIN_RSA_BITS ? key : null;
  } catch {
    return null;
  }
}

function pick<T>(table: Record<string, T>, names: readonly string[]): Record<string, T> {
  return Object.fromEntries(names.map((name) => [name, table[name]]));
}
