/**
 * What every page of the login and logout endpoints carries: never cached, never framed (clickjacking), no
 * scripts, styles only from here, no referrer leaking the request's parameters.
 */
export const PAGE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/**
 * The Content-Security-Policy of a page with a passkey ceremony: as every page, plus scripts from
 * this origin only (the one ceremony script; no inline script, no eval) and no fetches. No
 * form-action: the form's answer redirects to the client, which form-action would block.
 */
export const PASSKEY_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'";
