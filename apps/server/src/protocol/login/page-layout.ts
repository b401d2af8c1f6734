import { escapeHtml } from './html';
import { Locale } from './messages';

/** The frame both pages share: language, title, viewport, the replaceable stylesheet, and a main landmark. */
export function renderPage(page: {
  locale: Locale;
  title: string;
  stylesheetUrl: string;
  body: string;
  /** The passkey ceremony's script: the one script a login page may load (CSP script-src 'self'). */
  scriptUrl?: string;
}): string {
  const script = page.scriptUrl
    ? `<script src="${escapeHtml(page.scriptUrl)}" defer></script>\n`
    : '';
  return `<!DOCTYPE html>
<html lang="${page.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(page.title)}</title>
<link rel="stylesheet" href="${escapeHtml(page.stylesheetUrl)}">
${script}</head>
<body>
<main class="uas-card">
${page.body}
</main>
</body>
</html>
`;
}
