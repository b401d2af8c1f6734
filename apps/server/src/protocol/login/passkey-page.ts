import { PASSKEY_TICKET_FIELD, PasskeyRegistrationOutcome } from '@app/authorization';

import { passkeyForm } from './factor-page';
import { escapeHtml } from './html';
import { messagesFor, pickLocale } from './messages';
import { renderPage } from './page-layout';

/** The page where a signed-in user adds a passkey, and its answers. */
export function renderPasskeyPage(
  outcome: PasskeyRegistrationOutcome,
  uiLocales: string | null,
  urls: { action: string; stylesheet: string; script: string },
): string {
  const locale = pickLocale(uiLocales);
  const t = messagesFor(locale);
  if (outcome.kind === 'added' || outcome.kind === 'sign_in_first') {
    const title = outcome.kind === 'added' ? t.passkeyAddedTitle : t.passkeyAddTitle;
    const lead = outcome.kind === 'added' ? t.passkeyAddedLead : t.passkeySignInFirst;
    const body = `<h1>${escapeHtml(title)}</h1>\n<p class="uas-lead">${escapeHtml(lead)}</p>`;
    return renderPage({ locale, title, stylesheetUrl: urls.stylesheet, body });
  }
  const hidden = `<input type="hidden" name="${PASSKEY_TICKET_FIELD}" value="${escapeHtml(outcome.ticket)}">`;
  const alert =
    outcome.kind === 'failed'
      ? `<p id="uas-error" class="uas-error" role="alert">${escapeHtml(t.passkeyFailed)}</p>\n`
      : '';
  const body = `<h1>${escapeHtml(t.passkeyAddTitle)}</h1>
${alert}<p class="uas-lead">${escapeHtml(t.passkeyAddLead)}</p>
${passkeyForm('create', outcome.optionsJson, escapeHtml(urls.action), hidden, t.passkeyAdd)}`;
  return renderPage({
    locale,
    title: t.passkeyAddTitle,
    stylesheetUrl: urls.stylesheet,
    body,
    scriptUrl: urls.script,
  });
}
