import { OAuthError } from '@app/errors';

import { escapeHtml } from './html';
import { messagesFor, pickLocale } from './messages';
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
