/** The response methods Express and Fastify both have under one of these names. */
export interface DocumentResponse {
  status(code: number): unknown;
  setHeader?(name: string, value: string): unknown;
  header?(name: string, value: string): unknown;
}

/**
 * A document serialized once (metadata, JWKS) with its strong ETag: the body, or an empty 304
 * when the request's If-None-Match names it (RFC 9110 §13.1.2, weak comparison).
 */
export function sendDocument(
  document: { readonly body: string; readonly etag: string },
  ifNoneMatch: string | undefined,
  res: DocumentResponse,
): string {
  if (res.setHeader) res.setHeader('ETag', document.etag);
  else res.header?.('ETag', document.etag);
  if (ifNoneMatch && matchesEtag(ifNoneMatch, document.etag)) {
    res.status(304);
    return '';
  }
  return document.body;
}

/** RFC 9110 §13.1.2: If-None-Match names `etag` (weak comparison) or is `*`. */
export function matchesEtag(header: string, etag: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.trim() === '*' || header.split(',').some((tag) => opaque(tag) === opaque(etag));
}
