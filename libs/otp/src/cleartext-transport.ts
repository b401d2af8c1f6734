import { isIP } from 'node:net';

/**
 * What to tell the operator when SMTP_URL or SMS_GATEWAY_URL sends one-time passwords, which are
 * credentials, where they can be read on the way: `smtp://` (nodemailer then encrypts only when
 * the server offers STARTTLS, and sends the URL's credentials either way) or `http://`, to a host
 * that is not this machine. Null for `smtps://`, `https://` and loopback hosts. A warning, not a
 * refusal: a relay on the same private network (a mail container, say) is a common choice.
 */
export function cleartextTransportWarning(
  variable: 'SMTP_URL' | 'SMS_GATEWAY_URL',
  value: string | null,
): string | null {
  if (!value) return null;
  let url: URL;
  try {
    // The SMS template's placeholders are no part of the host.
    url = new URL(value.replaceAll('{mobile}', '').replaceAll('{challenge}', ''));
  } catch {
    return null; // the configuration's own validation reports a malformed URL
  }
  const cleartext = variable === 'SMTP_URL' ? 'smtp:' : 'http:';
  if (url.protocol !== cleartext || isLoopback(url.hostname)) return null;
  const what =
    variable === 'SMTP_URL'
      ? 'one-time passwords and the SMTP credentials cross the network in clear unless the server offers STARTTLS; use smtps://'
      : 'one-time passwords cross the network in clear; use https://';
  return `${variable} is ${url.protocol}// to ${url.hostname}, not this machine: ${what}`;
}

/** localhost, 127.0.0.0/8 and ::1 (RFC 6761 §6.3, RFC 1122 §3.2.1.3, RFC 4291 §2.5.3). */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return isIP(host) === 6 && host === '::1';
}
