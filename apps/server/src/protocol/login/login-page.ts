import { LOGIN_TICKET_FIELD, LoginForm } from '@app/authorization';

import { escapeHtml } from './html';
import { messagesFor, pickLocale } from './messages';
import { renderPage } from './page-layout';

/** Where the page posts to and loads its stylesheet from. */
export interface PageUrls {
  readonly action: string;
  readonly stylesheet: string;
  /** The passkey ceremony's script, for the pages that run one. */
  readonly script?: string;
}

/**
 * The login page: one form, `username` and `password` with visible labels, the failure message
 * announced to screen readers (role="alert") and tied to the fields, the username focused
 * first (or the password when the username is known), and nothing that needs JavaScript.
 */
export function renderLoginPage(form: LoginForm, urls: PageUrls): string {
  const locale = pickLocale(form.uiLocales);
  const t = messagesFor(locale);
  const lead = form.clientName ? t.signInTo(form.clientName) : t.signInLead;
  const invalid = form.failed ? ' aria-invalid="true" aria-describedby="uas-error"' : '';
  const username = form.username ? ` value="${escapeHtml(form.username)}"` : '';
  const focusUsername = form.username ? '' : ' autofocus';
  const focusPassword = form.username ? ' autofocus' : '';
  const alert = form.failed
    ? `<p id="uas-error" class="uas-error" role="alert">${escapeHtml(t.failed)}</p>\n`
    : form.notAllowed
      ? `<p id="uas-error" class="uas-error" role="alert">${escapeHtml(t.notAllowed)}</p>\n`
      : '';
  const body = `<h1>${escapeHtml(t.signInTitle)}</h1>
<p class="uas-lead">${escapeHtml(lead)}</p>
${alert}<form method="post" action="${escapeHtml(urls.action)}" class="uas-form">
<input type="hidden" name="${LOGIN_TICKET_FIELD}" value="${escapeHtml(form.ticket)}">
<div class="uas-field">
<label for="uas-username">${escapeHtml(t.username)}</label>
<input id="uas-username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required${username}${invalid}${focusUsername}>
</div>
<div class="uas-field">
<label for="uas-password">${escapeHtml(t.password)}</label>
<input id="uas-password" name="password" type="password" autocomplete="current-password" required${invalid}${focusPassword}>
</div>
<button type="submit">${escapeHtml(t.submit)}</button>
</form>`;
  return renderPage({ locale, title: t.signInTitle, stylesheetUrl: urls.stylesheet, body });
}
