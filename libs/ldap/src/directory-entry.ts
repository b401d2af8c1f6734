import { formatObjectGuid } from './object-guid';

/** The claims a directory attribute may fill (CONTRACT §4 `directories` `attributes`). */
export const DIRECTORY_CLAIMS = [
  'email',
  'name',
  'given_name',
  'family_name',
  'phone_number',
] as const;

/** Which directory attribute holds what: `id` and `username` always, the claims when mapped. */
export interface DirectoryAttributes {
  readonly id: string;
  readonly username: string;
  readonly email?: string;
  readonly name?: string;
  readonly given_name?: string;
  readonly family_name?: string;
  readonly phone_number?: string;
}

/** An entry as ldapts returns it: attribute names as the server spells them. */
export interface LdapEntry {
  readonly dn: string;
  readonly [attribute: string]: string | string[] | Buffer | Buffer[];
}

/** Every value of `attribute` (names compare case-insensitively, RFC 4512 §2.5). */
export function valuesOf(entry: LdapEntry, attribute: string): (string | Buffer)[] {
  const wanted = attribute.toLowerCase();
  const key = Object.keys(entry).find((name) => name.toLowerCase() === wanted && name !== 'dn');
  if (key === undefined) return [];
  const value = entry[key];
  return Array.isArray(value) ? value : [value];
}

/** The first value as text, or null. */
export function textOf(entry: LdapEntry, attribute: string): string | null {
  const [first] = valuesOf(entry, attribute);
  if (first === undefined) return null;
  const text = Buffer.isBuffer(first) ? first.toString('utf8') : first;
  return text === '' ? null : text;
}

/** Whether the id attribute is binary (objectGUID) and must be read as octets. */
export function isBinaryIdAttribute(attribute: string): boolean {
  return attribute.toLowerCase() === 'objectguid';
}

/**
 * The entry's stable identifier: a 16-octet value (objectGUID) in canonical GUID form, any other
 * binary value in hex, text as it is (entryUUID lower-cased, its canonical form). Null without one.
 */
export function externalIdOf(entry: LdapEntry, attribute: string): string | null {
  const [first] = valuesOf(entry, attribute);
  if (first === undefined) return null;
  if (Buffer.isBuffer(first))
    return first.length === 16 ? formatObjectGuid(first) : first.toString('hex');
  const text = first.trim();
  if (text === '') return null;
  return /^[0-9a-f-]{36}$/i.test(text) ? text.toLowerCase() : text;
}

/** The mapped claims; a mapped attribute the entry lacks gives null (the claim is removed). */
export function claimsOf(
  entry: LdapEntry,
  attributes: DirectoryAttributes,
): Record<string, string | null> {
  const claims: Record<string, string | null> = {};
  for (const claim of DIRECTORY_CLAIMS) {
    const attribute = attributes[claim];
    if (attribute !== undefined) claims[claim] = textOf(entry, attribute);
  }
  return claims;
}

/**
 * The value of a DN's first RDN when its type is `attribute` (`cn=Staff,ou=groups,…` → `Staff`
 * for `cn`), unescaped (RFC 4514 §2.4); null otherwise, or for a multi-valued RDN.
 */
export function firstRdnValue(dn: string, attribute: string): string | null {
  const match = /^\s*([^=]+?)\s*=((?:\\[0-9a-fA-F]{2}|\\.|[^,+\\])*)(.?)/.exec(dn);
  if (!match || match[3] === '+' || match[1].toLowerCase() !== attribute.toLowerCase()) return null;
  return unescapeDnValue(match[2].trim());
}

function unescapeDnValue(value: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i += 1) {
    if (value[i] === '\\' && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (value[i] === '\\' && i + 1 < value.length) {
      bytes.push(...Buffer.from(value[i + 1], 'utf8'));
      i += 1;
    } else {
      bytes.push(...Buffer.from(value[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
