import { escapeHtml } from './html';
import { messagesFor, pickLocale } from './messages';
import { renderPage } from './page-layout';

/**
 * RP-Initiated Logout 1.0 §2: the page that asks before a session ends without a valid
 * id_token_hint. One form posting back to the logout endpoint with the request's parameters
 * and the proof that this server showed it to this browser; nothing that needs JavaScript.
 */
export function renderLogoutConfirmPage(page: {
  fields: Readonly<Record<string, string>>;
  uiLocales: string | null;
  clientName: string | null;
  action: string;
  stylesheet: string;
}): string {
  const locale = pickLocale(page.uiLocales);
  const t = messagesFor(locale);
  const lead = page.clientName ? t.logoutFrom(page.clientName) : t.logoutLead;
  const hidden = Object.entries(page.fields)
    .map(
      ([name, value]) =>
        `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
    )
    .join('\n');
  const body = `<h1>${escapeHtml(t.logoutTitle)}</h1>
<p class="uas-lead">${escapeHtml(lead)}</p>
<form method="post" action="${escapeHtml(page.action)}" class="uas-form">
${hidden}
<button type="submit" autofocus>${escapeHtml(t.logoutSubmit)}</button>
</form>`;
  return renderPage({ locale, title: t.logoutTitle, stylesheetUrl: page.stylesheet, body });
}

/** Where a logout without a post_logout_redirect_uri ends (RP-Initiated Logout 1.0 §3). */
export function renderSignedOutPage(page: {
  uiLocales: string | null;
  stylesheet: string;
}): string {
  const locale = pickLocale(page.uiLocales);
  const t = messagesFor(locale);
  const body = `<h1>${escapeHtml(t.signedOutTitle)}</h1>
<p class="uas-lead">${escapeHtml(t.signedOutLead)}</p>`;
  return renderPage({ locale, title: t.signedOutTitle, stylesheetUrl: page.stylesheet, body });
}
