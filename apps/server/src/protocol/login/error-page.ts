import { OAuthError } from '@app/errors';

import { escapeHtml } from './html';
import { messagesFor, pickLocale } from './messages';
import { PAGE_HEADERS } from './page-headers';
import { renderPage } from './page-layout';

/**
 * The page for errors that must not be redirected (RFC 6749 §4.1.2.1: unknown client, redirect
 * URI not registered) and for sign-in forms that cannot be accepted: what happened, and the
 * error code and its public description for whoever debugs the application.
 */
export function renderErrorPage(
  error: OAuthError,
  uiLocales: string | null,
  stylesheetUrl: string,
): string {
  const locale = pickLocale(uiLocales);
  const t = messagesFor(locale);
  const body = `<h1>${escapeHtml(t.errorTitle)}</h1>
<p class="uas-lead">${escapeHtml(t.errorLead)}</p>
<p class="uas-error" role="alert" lang="en">${escapeHtml(error.description)}</p>
<p class="uas-detail">${escapeHtml(t.errorCode)}: <code>${escapeHtml(error.code)}</code></p>`;
  return renderPage({ locale, title: t.errorTitle, stylesheetUrl, body });
}

/**
 * The error page as the answer of a browser endpoint (authorization, logout): 400 for the
 * request's faults, the error's own status for load shedding (429) and for ours (503), and then
 * the error's Retry-After (RFC 9110 §10.2.3), as the JSON endpoints send it.
 */
export function errorPageResponse(
  error: OAuthError,
  uiLocales: string | null,
  stylesheetUrl: string,
): Response {
  const status = error.status >= 500 || error.status === 429 ? error.status : 400;
  const headers = new globalThis.Headers(PAGE_HEADERS);
  if (error.options.retryAfterSeconds !== undefined)
    headers.set('Retry-After', String(Math.max(1, Math.ceil(error.options.retryAfterSeconds))));
  return new Response(renderErrorPage(error, uiLocales, stylesheetUrl), { status, headers });
}
