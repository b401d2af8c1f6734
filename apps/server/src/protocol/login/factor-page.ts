import { FACTOR_TICKET_FIELD, FactorForm, FactorMethod } from '@app/authorization';

import { escapeHtml } from './html';
import { PageUrls } from './login-page';
import { Messages, messagesFor, pickLocale } from './messages';
import { renderPage } from './page-layout';
import { qrCodeDataUri } from './qr-code';

/**
 * The second step of signing in (CONTRACT §3): a form with one input named `code` (a TOTP, SMS
 * or e-mail code, or a recovery code), buttons for the user's other ways, the enrolment of an
 * authenticator app (a QR code drawn here, and the key in text), and the recovery codes after
 * it. Labels tie to inputs, the code input has the focus, failures are announced
 * (role="alert"), and nothing needs JavaScript.
 */
export function renderFactorPage(form: FactorForm, urls: PageUrls): string {
  const locale = pickLocale(form.uiLocales);
  const t = messagesFor(locale);
  const ticket = `<input type="hidden" name="${FACTOR_TICKET_FIELD}" value="${escapeHtml(form.ticket)}">`;
  const action = escapeHtml(urls.action);
  if (form.stage === 'enrolled' && form.recoveryCodes) {
    const codes = form.recoveryCodes
      .map((c) => `<li><code>${escapeHtml(c)}</code></li>`)
      .join('\n');
    const body = `<h1>${escapeHtml(t.recoveryTitle)}</h1>
<p class="uas-lead">${escapeHtml(t.recoveryLead)}</p>
<ul class="uas-codes">
${codes}
</ul>
<form method="post" action="${action}" class="uas-form">
${ticket}
<button type="submit" name="continue" value="1" autofocus>${escapeHtml(t.continue)}</button>
</form>`;
    return renderPage({ locale, title: t.recoveryTitle, stylesheetUrl: urls.stylesheet, body });
  }
  const title = form.stage === 'enrol' ? t.enrolTitle : t.factorTitle;
  if (form.stage === 'unreachable') {
    // Nothing to type or choose: no form, so the page offers no way around the second factor.
    const body = `<h1>${escapeHtml(title)}</h1>
<p id="uas-error" class="uas-error" role="alert">${escapeHtml(t.factorUnreachable)}</p>`;
    return renderPage({ locale, title, stylesheetUrl: urls.stylesheet, body });
  }
  if (form.method === 'passkey' && form.passkeyOptions !== null) {
    const body = `<h1>${escapeHtml(title)}</h1>
${form.failed ? `<p id="uas-error" class="uas-error" role="alert">${escapeHtml(t.passkeyFailed)}</p>\n` : ''}<p class="uas-lead">${escapeHtml(t.passkeyLead)}</p>
${passkeyForm('get', form.passkeyOptions, action, ticket, t.usePasskey)}
${alternativesOf(form, t, ticket, action)}`;
    return renderPage({
      locale,
      title,
      stylesheetUrl: urls.stylesheet,
      body,
      scriptUrl: urls.script,
    });
  }
  const body = `<h1>${escapeHtml(title)}</h1>
${leadOf(form, t)}
${form.failed ? `<p id="uas-error" class="uas-error" role="alert">${escapeHtml(t.factorFailed)}</p>\n` : ''}${enrolmentOf(form, t)}<form method="post" action="${action}" class="uas-form">
${ticket}
<div class="uas-field">
<label for="uas-code">${escapeHtml(t.code)}</label>
<input id="uas-code" name="code" type="text" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" required autofocus${describedBy(form)}>
${form.stage === 'code' ? `<p id="uas-code-hint" class="uas-detail">${escapeHtml(t.codeHint)}</p>\n` : ''}</div>
<button type="submit">${escapeHtml(t.verify)}</button>
</form>
${alternativesOf(form, t, ticket, action)}`;
  return renderPage({ locale, title, stylesheetUrl: urls.stylesheet, body });
}

function leadOf(form: FactorForm, t: Messages): string {
  const text =
    form.stage === 'enrol'
      ? t.enrolLead
      : form.method === 'sms'
        ? t.factorSmsLead(form.destination ?? '')
        : form.method === 'email'
          ? t.factorEmailLead(form.destination ?? '')
          : t.factorTotpLead;
  return `<p class="uas-lead">${escapeHtml(text)}</p>`;
}

function describedBy(form: FactorForm): string {
  const ids = [form.failed ? 'uas-error' : '', form.stage === 'code' ? 'uas-code-hint' : '']
    .filter(Boolean)
    .join(' ');
  return `${form.failed ? ' aria-invalid="true"' : ''}${ids ? ` aria-describedby="${ids}"` : ''}`;
}

/** The QR code of the otpauth:// URI and the key in groups of four, for typing. */
function enrolmentOf(form: FactorForm, t: Messages): string {
  if (form.stage !== 'enrol' || !form.enrolment) return '';
  const key = form.enrolment.secret.replace(/(.{4})(?=.)/g, '$1 ');
  return `<img class="uas-qr" src="${qrCodeDataUri(form.enrolment.otpauthUri)}" alt="${escapeHtml(t.qrAlt)}" width="200" height="200">
<p class="uas-detail">${escapeHtml(t.secretLabel)}: <code class="uas-secret">${escapeHtml(key)}</code></p>
`;
}

/** Another way to confirm, or a new SMS or e-mail code: each a button of one small form. */
function alternativesOf(form: FactorForm, t: Messages, ticket: string, action: string): string {
  if (form.stage !== 'code') return '';
  const label: Record<FactorMethod, string> = {
    totp: t.useTotp,
    passkey: t.usePasskey,
    sms: t.useSms,
    email: t.useEmail,
  };
  const methods: { method: FactorMethod; text: string }[] = [];
  if (form.method === 'sms' || form.method === 'email')
    methods.push({ method: form.method, text: t.resend });
  for (const m of form.alternatives) methods.push({ method: m, text: label[m] });
  if (methods.length === 0) return '';
  const buttons = methods
    .map(
      (m) =>
        `<button type="submit" name="method" value="${m.method}" class="uas-secondary">${escapeHtml(m.text)}</button>`,
    )
    .join('\n');
  return `<form method="post" action="${action}" class="uas-form uas-alternatives" aria-labelledby="uas-other">
${ticket}
<h2 id="uas-other">${escapeHtml(t.otherMethods)}</h2>
${buttons}
</form>`;
}

/**
 * A form the passkey script completes: on submit it runs navigator.credentials.`kind` with the
 * options and posts the credential in `passkey`. Keyboard: the button has the focus.
 */
export function passkeyForm(
  kind: 'get' | 'create',
  optionsJson: string,
  action: string,
  hidden: string,
  label: string,
): string {
  return `<form method="post" action="${action}" class="uas-form" data-passkey="${kind}" data-options="${escapeHtml(optionsJson)}">
${hidden}
<input type="hidden" name="passkey" value="">
<button type="submit" id="uas-passkey" autofocus>${escapeHtml(label)}</button>
</form>`;
}
