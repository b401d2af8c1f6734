import { createHash, generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';

import * as x509 from '@peculiar/x509';
import { SignedXml } from 'xml-crypto';

/** Algorithm URIs the tests sign with. */
export const XmlDsig = {
  RsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  RsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  RsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  Sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  Sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  Sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
  ExcC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  ExcC14nWithComments: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  C14n: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  Enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
} as const;

/** A throwaway asserting party: its entityID, RSA key and self-signed certificate. */
export interface SamlTestIssuer {
  readonly entityId: string;
  readonly privateKey: KeyObject;
  readonly privateKeyPem: string;
  readonly certificatePem: string;
}

/** A new asserting party with a fresh 2048-bit RSA key (`bits` for weak-key tests). */
export async function makeSamlIssuer(
  entityId = `urn:uuid:${randomUUID()}`,
  bits = 2048,
): Promise<SamlTestIssuer> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const subtle = globalThis.crypto.subtle;
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const keys = {
    publicKey: await subtle.importKey('spki', spki, algorithm, true, ['verify']),
    privateKey: await subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign']),
  };
  const notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: createHash('sha256').update(entityId).digest('hex').slice(0, 16),
      name: 'CN=Test SAML IdP',
      notBefore,
      notAfter: new Date(notBefore.getTime() + 10 * 365 * 24 * 3600 * 1000),
      signingAlgorithm: algorithm,
      keys,
    },
    globalThis.crypto,
  );
  return {
    entityId,
    privateKey,
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    certificatePem: cert.toString('pem'),
  };
}

/** What goes into a test assertion; every time defaults from `now`. */
export interface AssertionOptions {
  readonly issuer: string;
  readonly now: Date;
  readonly audience: string | readonly string[];
  readonly recipient: string;
  readonly id?: string;
  readonly nameId?: string;
  /** Raw XML placed inside NameID instead of the escaped `nameId` (e.g. with a comment). */
  readonly nameIdXml?: string;
  readonly issueInstant?: Date;
  /** Conditions NotBefore; null leaves it out. Default now − 1 min. */
  readonly notBefore?: Date | null;
  /** Conditions NotOnOrAfter; null leaves it out. Default now + 5 min. */
  readonly notOnOrAfter?: Date | null;
  /** SubjectConfirmationData NotOnOrAfter. Default now + 5 min. */
  readonly confirmationNotOnOrAfter?: Date;
  readonly confirmationMethod?: string;
  /** AuthnStatement AuthnInstant; null leaves the statement out. Default now − 30 s. */
  readonly authnInstant?: Date | null;
  readonly attributes?: Readonly<Record<string, readonly string[]>>;
}

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

/** An unsigned `<saml:Assertion>` the way an IdP writes one for RFC 7522. */
export function buildAssertionXml(o: AssertionOptions): string {
  const at = (offsetSeconds: number) => new Date(o.now.getTime() + offsetSeconds * 1000);
  const iso = (d: Date) => d.toISOString();
  const audiences = (typeof o.audience === 'string' ? [o.audience] : o.audience)
    .map((a) => `<saml:Audience>${escapeXml(a)}</saml:Audience>`)
    .join('');
  const notBefore = o.notBefore === undefined ? at(-60) : o.notBefore;
  const notOnOrAfter = o.notOnOrAfter === undefined ? at(300) : o.notOnOrAfter;
  const conditionAttrs =
    (notBefore ? ` NotBefore="${iso(notBefore)}"` : '') +
    (notOnOrAfter ? ` NotOnOrAfter="${iso(notOnOrAfter)}"` : '');
  const authnInstant = o.authnInstant === undefined ? at(-30) : o.authnInstant;
  const authn = authnInstant
    ? `<saml:AuthnStatement AuthnInstant="${iso(authnInstant)}"><saml:AuthnContext>` +
      '<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef>' +
      '</saml:AuthnContext></saml:AuthnStatement>'
    : '';
  const attributes = Object.entries(o.attributes ?? {});
  const attributeStatement = attributes.length
    ? '<saml:AttributeStatement>' +
      attributes
        .map(
          ([name, values]) =>
            `<saml:Attribute Name="${escapeXml(name)}">` +
            values
              .map((v) => `<saml:AttributeValue>${escapeXml(v)}</saml:AttributeValue>`)
              .join('') +
            '</saml:Attribute>',
        )
        .join('') +
      '</saml:AttributeStatement>'
    : '';
  const id = o.id ?? `_${randomUUID()}`;
  const nameId = o.nameIdXml ?? escapeXml(o.nameId ?? 'alice@example.com');
  const confirmationData = `Recipient="${escapeXml(o.recipient)}" NotOnOrAfter="${iso(o.confirmationNotOnOrAfter ?? at(300))}"`;
  return (
    `<saml:Assertion xmlns:saml="${SAML}" ID="${id}" Version="2.0" IssueInstant="${iso(o.issueInstant ?? o.now)}">` +
    `<saml:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">${escapeXml(o.issuer)}</saml:Issuer>` +
    '<saml:Subject>' +
    `<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${nameId}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="${o.confirmationMethod ?? BEARER}">` +
    `<saml:SubjectConfirmationData ${confirmationData}/>` +
    '</saml:SubjectConfirmation>' +
    '</saml:Subject>' +
    `<saml:Conditions${conditionAttrs}><saml:AudienceRestriction>${audiences}</saml:AudienceRestriction></saml:Conditions>` +
    authn +
    attributeStatement +
    '</saml:Assertion>'
  );
}

/** How to sign; defaults are what the verifier accepts (RSA-SHA256, SHA-256, exclusive c14n). */
export interface SignOptions {
  readonly signatureAlgorithm?: string;
  readonly digestAlgorithm?: string;
  readonly canonicalizationAlgorithm?: string;
  readonly transforms?: readonly string[];
  /** Puts this PEM certificate into KeyInfo/X509Data. */
  readonly keyInfoCertificatePem?: string;
  /** What the Reference covers; default the Assertion. */
  readonly referenceXpath?: string;
}

/** Signs the document element with an enveloped signature placed after `Issuer`, as SAML requires. */
export function signAssertionXml(
  xml: string,
  privateKeyPem: string,
  options: SignOptions = {},
): string {
  const sig = new SignedXml({
    privateKey: privateKeyPem,
    publicCert: options.keyInfoCertificatePem,
    signatureAlgorithm: options.signatureAlgorithm ?? XmlDsig.RsaSha256,
    canonicalizationAlgorithm: options.canonicalizationAlgorithm ?? XmlDsig.ExcC14n,
  });
  sig.addReference({
    xpath: options.referenceXpath ?? "/*[local-name(.)='Assertion']",
    transforms: [...(options.transforms ?? [XmlDsig.Enveloped, XmlDsig.ExcC14n])],
    digestAlgorithm: options.digestAlgorithm ?? XmlDsig.Sha256,
  });
  sig.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: "/*/*[local-name(.)='Issuer']", action: 'after' },
  });
  return sig.getSignedXml();
}

/** A signed assertion in one call. */
export function makeSignedAssertion(
  issuer: SamlTestIssuer,
  options: Omit<AssertionOptions, 'issuer'> & { issuer?: string },
  sign: SignOptions = {},
): string {
  const xml = buildAssertionXml({ ...options, issuer: options.issuer ?? issuer.entityId });
  return signAssertionXml(xml, issuer.privateKeyPem, sign);
}

/** The `assertion` parameter: base64url (RFC 7522 §2.1) or, for tolerance tests, plain base64. */
export function encodeAssertion(
  xml: string,
  encoding: 'base64url' | 'base64' = 'base64url',
): string {
  return Buffer.from(xml, 'utf8').toString(encoding);
}

function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
