import { Inject, Injectable } from '@nestjs/common';
import type { Element } from '@xmldom/xmldom';

import { APP_CONFIG, AppConfig, Clock, routeUrl } from '@app/config';
import { UsedIdentifierRepository } from '@app/persistence';

import { AssertionContent, readAssertion } from './assertion-reader';
import { rejectAssertion } from './assertion-rejection';
import { verifyEnvelopedSignature } from './enveloped-signature';
import { SamlIssuerService } from './saml-issuer.service';
import { SamlNs, SamlUri } from './saml-names';
import {
  childElements,
  decodeAssertionParameter,
  descendantElements,
  parseStrictXml,
} from './strict-xml';
import { VerifiedAssertion } from './verified-assertion';

/** Clock difference tolerated between the asserting party and us, either way. */
export const CLOCK_SKEW_SECONDS = 60;

/**
 * Turns an RFC 7522 `assertion` parameter into a verified subject, or refuses it with
 * invalid_grant. Everything it returns is read from the XML the trusted issuer's certificate
 * verified (xml-crypto's canonical signed reference), never from the document as received.
 */
@Injectable()
export class SamlAssertionVerifier {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly issuers: SamlIssuerService,
    private readonly usedIdentifiers: UsedIdentifierRepository,
  ) {}

  /** The verified assertion, its ID used up; OAuthError invalid_grant for anything else. */
  async verify(assertionParameter: string): Promise<VerifiedAssertion> {
    const xml = decodeAssertionParameter(assertionParameter);
    const received = parseStrictXml(xml).documentElement!;
    const signature = locateSignature(received);
    const trusted = await this.issuers.findByEntityId(claimedIssuer(received));
    if (!trusted) throw rejectAssertion('issuer not registered');
    const signed = verifyEnvelopedSignature(xml, signature, trusted.certificates);
    if (!signed)
      throw rejectAssertion('signature does not verify with a certificate of the issuer');

    // From here on, only the signed content counts.
    const signedAssertion = parseStrictXml(signed.xml).documentElement!;
    if (!isSamlElement(signedAssertion, 'Assertion'))
      throw rejectAssertion('signed element is not an Assertion');
    const assertion = readAssertion(signedAssertion);
    if (signed.referenceUri !== `#${assertion.id}`)
      throw rejectAssertion('signed reference is not the assertion');
    if (assertion.issuer !== trusted.entityId)
      throw rejectAssertion('signed Issuer is not the verifying issuer');
    const now = this.clock.now();
    const notOnOrAfter = this.checkConditions(assertion, now);
    const expiresAt = new Date(notOnOrAfter.getTime() + CLOCK_SKEW_SECONDS * 1000);
    // RFC 7522 §3 item 9 / SAML Core: one use per ID, remembered by every instance until it expires.
    if (
      !(await this.usedIdentifiers.claim(
        `saml_assertion:${trusted.entityId}`,
        assertion.id,
        expiresAt,
        now,
      ))
    ) {
      throw rejectAssertion('assertion ID already used');
    }
    return {
      subject: assertion.nameId,
      issuer: trusted.entityId,
      assertionId: assertion.id,
      notOnOrAfter,
      attributes: assertion.attributes,
      ...(assertion.authnInstant ? { authnInstant: assertion.authnInstant } : {}),
    };
  }

  /**
   * RFC 7522 §3 items 2, 4, 5 and 9; returns when the assertion stops being acceptable, by any
   * of its bearer confirmations for the token endpoint.
   */
  private checkConditions(assertion: AssertionContent, now: Date): Date {
    const skew = CLOCK_SKEW_SECONDS * 1000;
    const latest = now.getTime() + skew;
    const earliest = now.getTime() - skew;
    const tokenEndpoint = routeUrl(this.config, 'token');
    const audiences = [this.config.issuer.url, tokenEndpoint];

    if (assertion.issueInstant.getTime() > latest)
      throw rejectAssertion('IssueInstant in the future');
    if (assertion.authnInstant && assertion.authnInstant.getTime() > latest) {
      throw rejectAssertion('AuthnInstant in the future');
    }
    if (assertion.notBefore && assertion.notBefore.getTime() > latest) {
      throw rejectAssertion('not yet valid (NotBefore)');
    }
    if (assertion.notOnOrAfter && assertion.notOnOrAfter.getTime() <= earliest) {
      throw rejectAssertion('expired (Conditions NotOnOrAfter)');
    }
    const restrictions = assertion.audienceRestrictions;
    if (
      restrictions.length === 0 ||
      !restrictions.every((names) => names.some((a) => audiences.includes(a)))
    ) {
      throw rejectAssertion('Audience does not name this server');
    }

    const bearer = assertion.confirmations.filter((c) => c.method === SamlUri.BearerConfirmation);
    if (bearer.length === 0) throw rejectAssertion('no bearer SubjectConfirmation');
    const addressed = bearer.filter((c) => c.recipient === tokenEndpoint);
    if (addressed.length === 0) throw rejectAssertion('Recipient is not the token endpoint');
    const current = addressed
      .filter((c) => c.notOnOrAfter !== null && c.notOnOrAfter.getTime() > earliest)
      .filter((c) => c.notBefore === null || c.notBefore.getTime() <= latest);
    if (current.length === 0)
      throw rejectAssertion('expired (SubjectConfirmationData NotOnOrAfter)');

    // Until the last moment any of them is acceptable, one not yet valid (NotBefore ahead)
    // included: its ID must still be known as used when that one comes due.
    const lastAcceptable = Math.max(
      ...addressed.flatMap((c) => (c.notOnOrAfter ? [c.notOnOrAfter.getTime()] : [])),
    );
    return new Date(Math.min(lastAcceptable, assertion.notOnOrAfter?.getTime() ?? Infinity));
  }
}

/**
 * The document must be exactly one `saml:Assertion` (no Response around it, no Assertion inside
 * it) carrying exactly one `ds:Signature`, as a direct child, whose Reference points at the
 * Assertion itself: every signature-wrapping arrangement fails one of these.
 */
function locateSignature(root: Element): Element {
  if (!isSamlElement(root, 'Assertion'))
    throw rejectAssertion('document element is not a saml:Assertion');
  const descendants = descendantElements(root);
  if (
    descendants.some((e) => isSamlElement(e, 'Assertion') || isSamlElement(e, 'EncryptedAssertion'))
  ) {
    throw rejectAssertion('nested assertion');
  }
  const signatures = descendants.filter(
    (e) => e.namespaceURI === SamlNs.XmlDsig && e.localName === 'Signature',
  );
  if (signatures.length === 0) throw rejectAssertion('unsigned');
  if (signatures.length > 1 || signatures[0].parentNode !== root) {
    throw rejectAssertion('signature is not the one enveloped signature');
  }
  const id = root.getAttribute('ID') ?? '';
  const references = descendantElements(signatures[0]).filter(
    (e) => e.namespaceURI === SamlNs.XmlDsig && e.localName === 'Reference',
  );
  if (id === '' || references.length !== 1 || references[0].getAttribute('URI') !== `#${id}`) {
    throw rejectAssertion('signature does not reference the assertion');
  }
  return signatures[0];
}

/** The Issuer text as received: used only to find whose certificates to try. */
function claimedIssuer(root: Element): string {
  const issuers = childElements(root, SamlNs.Assertion, 'Issuer');
  if (issuers.length !== 1) throw rejectAssertion('expected one Issuer');
  return issuers[0].textContent ?? '';
}

function isSamlElement(element: Element, localName: string): boolean {
  return element.namespaceURI === SamlNs.Assertion && element.localName === localName;
}
