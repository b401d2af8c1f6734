import { createHash, randomBytes } from 'node:crypto';

import request from 'supertest';

import { TestServer } from '../../setup/test-server';

/** The authorization endpoint's path below the server root. */
export const AUTHORIZATION_PATH = '/uas/oauth2/authorization';

/** The path of an authorization request with `params` in the query. */
export function authorizationPath(params: Record<string, string>): string {
  return `${AUTHORIZATION_PATH}?${new URLSearchParams(params).toString()}`;
}

/** A PKCE verifier and its S256 challenge (RFC 7636 §4.1, §4.2). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The login form of a page: where it posts, and its hidden fields. */
export interface ParsedForm {
  action: string;
  method: string;
  hidden: Record<string, string>;
}

/** Reads the one form of a login page (attribute values unescaped). */
export function parseForm(html: string): ParsedForm {
  const form = /<form\b([^>]*)>/i.exec(html);
  if (!form) throw new Error(`no form in page:\n${html}`);
  const hidden: Record<string, string> = {};
  for (const input of html.matchAll(/<input\b([^>]*)>/gi)) {
    const attributes = attributesOf(input[1]);
    if (attributes.type === 'hidden') hidden[attributes.name] = attributes.value;
  }
  const attributes = attributesOf(form[1]);
  return { action: attributes.action, method: attributes.method, hidden };
}

function attributesOf(source: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of source.matchAll(/([a-z-]+)(?:="([^"]*)")?/gi)) {
    attributes[match[1].toLowerCase()] = unescape(match[2] ?? '');
  }
  return attributes;
}

function unescape(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The query parameters of a redirect's Location. */
export function redirectParams(location: string): Record<string, string> {
  return Object.fromEntries(new URL(location).searchParams);
}

/**
 * A browser for supertest: keeps the cookies the server sets (name → value, as a browser
 * would for this path) and sends them back; follows nothing by itself.
 */
export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(private readonly server: TestServer) {}

  async get(path: string): Promise<request.Response> {
    return this.remember(await request(this.server.http).get(path).set(this.cookieHeader()));
  }

  async post(path: string, form: Record<string, string>): Promise<request.Response> {
    return this.remember(
      await request(this.server.http).post(path).type('form').set(this.cookieHeader()).send(form),
    );
  }

  /** Opens the authorization request and expects the login page. */
  async openLoginPage(params: Record<string, string>): Promise<ParsedForm> {
    const page = await this.get(authorizationPath(params));
    if (page.status !== 200)
      throw new Error(
        `expected the login page, got ${page.status} ${page.headers.location ?? page.text}`,
      );
    return parseForm(page.text);
  }

  /** Posts the login form of `form` with the credentials. */
  submitLogin(form: ParsedForm, username: string, password: string): Promise<request.Response> {
    return this.post(form.action, { ...form.hidden, username, password });
  }

  /** The whole sign-in: request, form, credentials; returns the final redirect's parameters. */
  async signIn(
    params: Record<string, string>,
    username: string,
    password: string,
  ): Promise<Record<string, string>> {
    const form = await this.openLoginPage(params);
    const res = await this.submitLogin(form, username, password);
    if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${res.text}`);
    return redirectParams(res.headers.location);
  }

  private cookieHeader(): Record<string, string> {
    const header = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    return header ? { Cookie: header } : {};
  }

  private remember(res: request.Response): request.Response {
    const setCookies = res.headers['set-cookie'] as unknown as string[] | undefined;
    for (const cookie of setCookies ?? []) {
      const [pair] = cookie.split(';');
      const separator = pair.indexOf('=');
      this.cookies.set(pair.slice(0, separator), pair.slice(separator + 1));
    }
    return res;
  }
}
