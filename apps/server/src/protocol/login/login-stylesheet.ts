/**
 * The built-in stylesheet of the login and error pages. Operators replace it with
 * LOGIN_CSS_FILE; the pages use only these classes: uas-card, uas-lead, uas-error, uas-detail,
 * uas-form, uas-field, and on the second-factor page uas-qr, uas-secret, uas-codes,
 * uas-alternatives, uas-secondary.
 */
export const DEFAULT_LOGIN_CSS = `:root {
  color-scheme: light dark;
  --uas-bg: #f3f4f6;
  --uas-card: #ffffff;
  --uas-text: #1f2937;
  --uas-muted: #4b5563;
  --uas-border: #6b7280;
  --uas-accent: #1d4ed8;
  --uas-accent-text: #ffffff;
  --uas-error: #b91c1c;
  --uas-error-bg: #fef2f2;
  --uas-focus: #f59e0b;
}
@media (prefers-color-scheme: dark) {
  :root {
    --uas-bg: #111827;
    --uas-card: #1f2937;
    --uas-text: #f9fafb;
    --uas-muted: #d1d5db;
    --uas-border: #9ca3af;
    --uas-accent: #93c5fd;
    --uas-accent-text: #111827;
    --uas-error: #fecaca;
    --uas-error-bg: #450a0a;
  }
}
* { box-sizing: border-box; }
html { font-size: 100%; }
body {
  margin: 0;
  min-height: 100vh;
  display: flex;
  align-items: center;
  justify-content: center;
  padding: 1rem;
  background: var(--uas-bg);
  color: var(--uas-text);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  line-height: 1.5;
}
.uas-card {
  width: 100%;
  max-width: 24rem;
  padding: 2rem;
  background: var(--uas-card);
  border-radius: 0.75rem;
  box-shadow: 0 1px 3px rgba(0, 0, 0, 0.12), 0 8px 24px rgba(0, 0, 0, 0.08);
}
h1 { margin: 0 0 0.5rem; font-size: 1.5rem; line-height: 1.25; }
.uas-lead { margin: 0 0 1.5rem; color: var(--uas-muted); }
.uas-error {
  margin: 0 0 1.25rem;
  padding: 0.75rem 1rem;
  border-left: 4px solid var(--uas-error);
  background: var(--uas-error-bg);
  color: var(--uas-error);
  font-weight: 600;
}
.uas-detail { margin: 0; color: var(--uas-muted); font-size: 0.875rem; }
.uas-field { margin-bottom: 1.25rem; }
label { display: block; margin-bottom: 0.375rem; font-weight: 600; }
input[type="text"], input[type="password"] {
  width: 100%;
  padding: 0.625rem 0.75rem;
  border: 1px solid var(--uas-border);
  border-radius: 0.375rem;
  background: var(--uas-card);
  color: var(--uas-text);
  font: inherit;
}
input[aria-invalid="true"] { border-color: var(--uas-error); }
button {
  width: 100%;
  padding: 0.75rem 1rem;
  border: 0;
  border-radius: 0.375rem;
  background: var(--uas-accent);
  color: var(--uas-accent-text);
  font: inherit;
  font-weight: 600;
  cursor: pointer;
}
button:hover { filter: brightness(1.1); }
h2 { margin: 1.5rem 0 0.75rem; font-size: 1rem; }
.uas-qr { display: block; width: 200px; height: 200px; margin: 0 auto 1rem; }
.uas-secret, .uas-codes code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 1rem; }
.uas-secret { overflow-wrap: anywhere; }
.uas-detail + .uas-form, .uas-qr + .uas-detail { margin-bottom: 1.25rem; }
.uas-codes { columns: 2; margin: 0 0 1.5rem; padding-left: 1.25rem; }
.uas-alternatives button { margin-bottom: 0.5rem; }
button.uas-secondary {
  background: transparent;
  color: var(--uas-accent);
  border: 1px solid var(--uas-accent);
}
input:focus-visible, button:focus-visible {
  outline: 3px solid var(--uas-focus);
  outline-offset: 2px;
}
`;
