import { OAuthError } from '@app/errors';

/** What a sender delivers: the recipient (the username as the client sent it), a subject and a text. */
export interface OtpMessage {
  readonly recipient: string;
  /** The e-mail subject; one line, never empty. SMS ignores it. */
  readonly title: string;
  /** The text with the OTP in it. */
  readonly body: string;
}

/** The client's optional texts (x_globalsign_iam_otp_title / _body) and ui_locales. */
export interface OtpMessageTexts {
  readonly title?: string;
  readonly body?: string;
  readonly uiLocales?: string;
}

export const MAX_TITLE_LENGTH = 200;
export const MAX_BODY_LENGTH = 1000;
const PLACEHOLDER = '{0}';

// Defaults by ui_locales (ubisecure-notes §13: localized SMS_TEXT); `{0}` is the OTP.
const DEFAULT_TEXTS: Record<string, { title: string; body: string }> = {
  en: { title: 'Your one-time password', body: 'Your one-time password is {0}' },
  fi: { title: 'Kertakäyttöinen salasana', body: 'Kertakäyttöinen salasanasi on {0}' },
  sv: { title: 'Engångslösenord', body: 'Ditt engångslösenord är {0}' },
};

// A title becomes a mail header: no control characters at all (CR/LF would start a new
// header), nor Unicode line or paragraph separators.
const TITLE_FORBIDDEN = /[\p{Cc}\u2028\u2029]/u;
// A body is plain text: line breaks and tabs are fine, other control characters are not.
// eslint-disable-next-line no-control-regex -- matching control characters, to refuse them, is the point
const BODY_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * Checks the client's texts before anything is counted or sent: invalid_request for a title
 * longer than 200 characters or with a line break or control character, and for a body
 * longer than 1000 characters, without `{0}`, or with control characters.
 */
export function checkOtpMessageTexts(texts: OtpMessageTexts): void {
  if (
    texts.title !== undefined &&
    (texts.title.length > MAX_TITLE_LENGTH || TITLE_FORBIDDEN.test(texts.title))
  ) {
    throw new OAuthError(
      'invalid_request',
      `x_globalsign_iam_otp_title must be one line of at most ${MAX_TITLE_LENGTH} characters.`,
    );
  }
  if (
    texts.body !== undefined &&
    (texts.body.length > MAX_BODY_LENGTH ||
      !texts.body.includes(PLACEHOLDER) ||
      BODY_FORBIDDEN.test(texts.body))
  ) {
    throw new OAuthError(
      'invalid_request',
      `x_globalsign_iam_otp_body must contain {0} and be at most ${MAX_BODY_LENGTH} characters of text.`,
    );
  }
}

/** The message for `recipient` with `code` in place of every `{0}`; texts already checked. */
export function buildOtpMessage(
  recipient: string,
  code: string,
  texts: OtpMessageTexts,
): OtpMessage {
  const defaults = DEFAULT_TEXTS[pickLanguage(texts.uiLocales)];
  return {
    recipient,
    title: texts.title ?? defaults.title,
    // split/join, not replace(): no `$` patterns, every occurrence.
    body: (texts.body ?? defaults.body).split(PLACEHOLDER).join(code),
  };
}

/** The first ui_locales tag (OIDC Core §3.1.2.1, space-separated BCP 47) we have texts for; else English. */
function pickLanguage(uiLocales: string | undefined): string {
  for (const tag of (uiLocales ?? '').split(' ')) {
    const language = tag.split('-')[0].toLowerCase();
    if (Object.hasOwn(DEFAULT_TEXTS, language)) return language;
  }
  return 'en';
}
