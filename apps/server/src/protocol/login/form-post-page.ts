import { createHash } from 'node:crypto';

import { AuthorizationResponse } from '@app/authorization';

import { escapeHtml } from './html';

/** The page's one script: it posts the form as soon as it is parsed (Form Post Response Mode §2). */
const AUTO_SUBMIT_SCRIPT = 'document.forms[0].submit();';

/**
 * The CSP of the form_post page: the login pages' policy, plus exactly the auto-submit script,
 * allowed by its hash (CSP3 §8.2) so no other inline or fetched script can run.
 */
export const FORM_POST_CSP = [
  "default-src 'none'",
  `script-src 'sha256-${createHash('sha256').update(AUTO_SUBMIT_SCRIPT).digest('base64')}'`,
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * OAuth 2.0 Form Post Response Mode §2: the response's parameters as hidden fields of a form
 * the browser posts to the redirect URI itself, with a button for browsers that run no scripts.
 */
export function renderFormPostPage(response: AuthorizationResponse): string {
  const fields = Object.entries(response.params)
    .map(
      ([name, value]) =>
        `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<title>Continue</title>
</head>
<body>
<form method="post" action="${escapeHtml(response.redirectUri)}">
${fields}
<noscript><button type="submit">Continue</button></noscript>
</form>
<script>${AUTO_SUBMIT_SCRIPT}</script>
</body>
</html>
`;
}
