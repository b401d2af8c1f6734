import { DOMParser } from '@xmldom/xmldom';
import type { Document, Element, Node } from '@xmldom/xmldom';

import { rejectAssertion } from './assertion-rejection';

/** Far above any real assertion; the token endpoint's 64 KB body limit is reached first anyway. */
export const MAX_ASSERTION_BYTES = 64 * 1024;
/** Assertion/Signature/SignedInfo/Reference/Transforms/Transform/InclusiveNamespaces is 7 deep. */
export const MAX_XML_DEPTH = 32;

const MAX_ENCODED_LENGTH = Math.ceil(MAX_ASSERTION_BYTES / 3) * 4;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// XML 1.0 §2.2: characters no document may hold, raw or as a character reference.
// eslint-disable-next-line no-control-regex -- matching control characters, to refuse them, is the point
const FORBIDDEN_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
// Every markup declaration (<!DOCTYPE, <!ENTITY, <!ATTLIST, <!ELEMENT, <!NOTATION); comments and
// CDATA sections are the only `<!` constructs a document without a DTD has.
const MARKUP_DECLARATION = /<!(?!--|\[CDATA\[)/;

/**
 * The XML text of an RFC 7522 `assertion` parameter: base64url (§2.1), or standard base64 that
 * some clients send. Strict alphabet (one of the two, never mixed), canonical padding and bits,
 * at most MAX_ASSERTION_BYTES, valid UTF-8.
 */
export function decodeAssertionParameter(value: string): string {
  if (value.length > MAX_ENCODED_LENGTH) throw rejectAssertion('assertion parameter too large');
  if (!BASE64URL.test(value) && !BASE64.test(value))
    throw rejectAssertion('assertion parameter is not base64url');
  const unpadded = value.replace(/=+$/, '');
  if (value.length !== unpadded.length ? value.length % 4 !== 0 : value.length % 4 === 1) {
    throw rejectAssertion('assertion parameter has a bad length or padding');
  }
  const bytes = Buffer.from(unpadded, 'base64');
  if (bytes.toString('base64url') !== unpadded.replace(/\+/g, '-').replace(/\//g, '_')) {
    throw rejectAssertion('assertion parameter is not canonical base64');
  }
  if (bytes.length > MAX_ASSERTION_BYTES) throw rejectAssertion('assertion too large');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw rejectAssertion('assertion is not UTF-8');
  }
}

/**
 * Parses XML that has no DTD of any kind (so no entity can expand and nothing external is
 * fetched), is well-formed without a single parser complaint, holds no character XML forbids,
 * and nests at most MAX_XML_DEPTH elements deep.
 */
export function parseStrictXml(xml: string): Document {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw rejectAssertion('DTD or entity declaration');
  if (MARKUP_DECLARATION.test(xml)) throw rejectAssertion('markup declaration');
  if (FORBIDDEN_CHARACTERS.test(xml)) throw rejectAssertion('forbidden character');
  let doc: Document;
  try {
    doc = new DOMParser({
      locator: false,
      onError: (level, message) => {
        throw new Error(`${level}: ${message}`);
      },
    }).parseFromString(xml, 'application/xml');
  } catch (error) {
    throw rejectAssertion(`not well-formed XML (${(error as Error).message.slice(0, 200)})`);
  }
  if (doc.doctype) throw rejectAssertion('DTD present');
  if (!doc.documentElement) throw rejectAssertion('no document element');
  checkTree(doc.documentElement);
  return doc;
}

/** The element children of `parent` named `localName` in `namespace`. */
export function childElements(parent: Element, namespace: string, localName?: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (!isElement(node) || node.namespaceURI !== namespace) continue;
    if (localName === undefined || node.localName === localName) found.push(node);
  }
  return found;
}

/** Every element child of `parent`, whatever its name. */
export function allChildElements(parent: Element): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (isElement(node)) found.push(node);
  }
  return found;
}

/** Every element below `root` (not `root` itself), in document order. */
export function descendantElements(root: Element): Element[] {
  const found: Element[] = [];
  const stack: Node[] = [];
  for (let node = root.lastChild; node; node = node.previousSibling) stack.push(node);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!isElement(node)) continue;
    found.push(node);
    for (let child = node.lastChild; child; child = child.previousSibling) stack.push(child);
  }
  return found;
}

export function isElement(node: Node): node is Element {
  return node.nodeType === 1;
}

// Iterative, so a hostile document cannot exhaust the stack before the limit is seen.
function checkTree(root: Element): void {
  const stack: { node: Node; depth: number }[] = [{ node: root, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (isElement(node)) {
      if (depth > MAX_XML_DEPTH) throw rejectAssertion('document too deep');
      for (let i = 0; i < node.attributes.length; i++) {
        if (FORBIDDEN_CHARACTERS.test(node.attributes[i].value))
          throw rejectAssertion('forbidden character');
      }
      for (let child = node.firstChild; child; child = child.nextSibling)
        stack.push({ node: child, depth: depth + 1 });
    } else if (FORBIDDEN_CHARACTERS.test(node.nodeValue ?? '')) {
      throw rejectAssertion('forbidden character');
    }
  }
}
