import type { Element } from '@xmldom/xmldom';

import { rejectAssertion } from './assertion-rejection';
import { SamlNs, SamlUri } from './saml-names';
import { allChildElements, childElements } from './strict-xml';

/** One `Subject/SubjectConfirmation` with its optional `SubjectConfirmationData`. */
export interface SubjectConfirmation {
  readonly method: string;
  readonly recipient: string | null;
  readonly notBefore: Date | null;
  readonly notOnOrAfter: Date | null;
}

/** The parts of a signed `<saml:Assertion>` RFC 7522 §3 looks at, typed. */
export interface AssertionContent {
  readonly id: string;
  readonly issueInstant: Date;
  readonly issuer: string;
  /** Every text node of NameID, joined. */
  readonly nameId: string;
  readonly confirmations: readonly SubjectConfirmation[];
  readonly notBefore: Date | null;
  readonly notOnOrAfter: Date | null;
  /** Audiences per `AudienceRestriction`; each restriction must name us (SAML Core §2.5.1.4). */
  readonly audienceRestrictions: readonly (readonly string[])[];
  readonly authnInstant: Date | null;
  readonly attributes: Readonly<Record<string, readonly string[]>>;
}

// SAML Core §2.5.1.5: a condition we do not understand makes the assertion indeterminate.
const KNOWN_CONDITIONS = new Set(['AudienceRestriction', 'OneTimeUse', 'ProxyRestriction']);
/**
 * The longest assertion ID and NameID accepted. SAML Core §8.3.7 caps a persistent NameID at 256
 * characters, §8.3.6 an entity identifier at 1024; an ID of 160 bits of randomness (§1.3.4) is
 * some 40. Both are stored and indexed (the used IDs, the subjects), and a b-tree refuses an
 * entry of more than about 2.7 kB: a longer value was a 500, not invalid_grant.
 */
const MAX_ID_LENGTH = 256;
const MAX_NAME_ID_LENGTH = 1024;
// SAML Core §1.3.3: xs:dateTime in UTC, without a time zone offset.
const INSTANT = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z$/;

/**
 * Reads a `<saml:Assertion>` element (SAML 2.0 Core §2.3.3) into typed values, refusing any
 * shape it does not expect: several Issuers, Subjects or NameIDs, an encrypted ID, no
 * Conditions, a condition it does not understand, a malformed instant.
 */
export function readAssertion(assertion: Element): AssertionContent {
  if (assertion.getAttribute('Version') !== '2.0') throw rejectAssertion('Version is not 2.0');
  const id = assertion.getAttribute('ID') ?? '';
  if (id === '') throw rejectAssertion('no ID');
  if (id.length > MAX_ID_LENGTH) throw rejectAssertion(`ID longer than ${MAX_ID_LENGTH}`);
  const issuer = exactlyOne(assertion, 'Issuer');
  const format = issuer.getAttribute('Format');
  if (format && format !== SamlUri.EntityNameFormat)
    throw rejectAssertion('Issuer Format is not entity');
  const subject = exactlyOne(assertion, 'Subject');
  const nameId = exactlyOne(subject, 'NameID').textContent ?? '';
  if (nameId.trim() === '') throw rejectAssertion('empty NameID');
  if (nameId.length > MAX_NAME_ID_LENGTH)
    throw rejectAssertion(`NameID longer than ${MAX_NAME_ID_LENGTH}`);
  const conditions = exactlyOne(assertion, 'Conditions');
  for (const condition of allChildElements(conditions)) {
    if (
      condition.namespaceURI !== SamlNs.Assertion ||
      !KNOWN_CONDITIONS.has(condition.localName ?? '')
    ) {
      throw rejectAssertion(`unknown condition ${condition.localName}`);
    }
  }
  return {
    id,
    issueInstant: instant(assertion.getAttribute('IssueInstant'), 'IssueInstant'),
    issuer: issuer.textContent ?? '',
    nameId,
    confirmations: childElements(subject, SamlNs.Assertion, 'SubjectConfirmation').map(
      readConfirmation,
    ),
    notBefore: optionalInstant(conditions.getAttribute('NotBefore'), 'Conditions NotBefore'),
    notOnOrAfter: optionalInstant(
      conditions.getAttribute('NotOnOrAfter'),
      'Conditions NotOnOrAfter',
    ),
    audienceRestrictions: childElements(conditions, SamlNs.Assertion, 'AudienceRestriction').map(
      (restriction) =>
        childElements(restriction, SamlNs.Assertion, 'Audience').map(
          (audience) => audience.textContent ?? '',
        ),
    ),
    authnInstant: readAuthnInstant(assertion),
    attributes: readAttributes(assertion),
  };
}

function readConfirmation(confirmation: Element): SubjectConfirmation {
  const data = childElements(confirmation, SamlNs.Assertion, 'SubjectConfirmationData');
  if (data.length > 1) throw rejectAssertion('several SubjectConfirmationData');
  return {
    method: confirmation.getAttribute('Method') ?? '',
    recipient: data[0]?.getAttribute('Recipient') ?? null,
    notBefore: optionalInstant(
      data[0]?.getAttribute('NotBefore') ?? null,
      'confirmation NotBefore',
    ),
    notOnOrAfter: optionalInstant(
      data[0]?.getAttribute('NotOnOrAfter') ?? null,
      'confirmation NotOnOrAfter',
    ),
  };
}

/** RFC 7522 §3 item 6 expects a single AuthnStatement; its AuthnInstant is the auth_time. */
function readAuthnInstant(assertion: Element): Date | null {
  const statements = childElements(assertion, SamlNs.Assertion, 'AuthnStatement');
  if (statements.length > 1) throw rejectAssertion('several AuthnStatements');
  return statements.length
    ? instant(statements[0].getAttribute('AuthnInstant'), 'AuthnInstant')
    : null;
}

function readAttributes(assertion: Element): Record<string, string[]> {
  const values = new Map<string, string[]>();
  for (const statement of childElements(assertion, SamlNs.Assertion, 'AttributeStatement')) {
    for (const attribute of childElements(statement, SamlNs.Assertion, 'Attribute')) {
      const name = attribute.getAttribute('Name') ?? '';
      if (name === '') throw rejectAssertion('Attribute without Name');
      const list = values.get(name) ?? [];
      for (const value of childElements(attribute, SamlNs.Assertion, 'AttributeValue')) {
        list.push(value.textContent ?? '');
      }
      values.set(name, list);
    }
  }
  // fromEntries defines own properties, so a Name such as __proto__ stays an ordinary key.
  return Object.fromEntries(values);
}

function exactlyOne(parent: Element, localName: string): Element {
  const found = childElements(parent, SamlNs.Assertion, localName);
  if (found.length !== 1) throw rejectAssertion(`expected one ${localName}, found ${found.length}`);
  return found[0];
}

function instant(value: string | null, what: string): Date {
  const parsed = optionalInstant(value, what);
  if (!parsed) throw rejectAssertion(`no ${what}`);
  return parsed;
}

function optionalInstant(value: string | null, what: string): Date | null {
  if (value === null || value === '') return null;
  const match = INSTANT.exec(value);
  // Millisecond precision is all SAML Core §1.3.3 asks implementations to rely on.
  const time = match
    ? Date.parse(`${match[1]}${(match[2] ?? '.000').slice(0, 4).padEnd(4, '0')}Z`)
    : NaN;
  if (Number.isNaN(time)) throw rejectAssertion(`malformed ${what}`);
  return new Date(time);
}
