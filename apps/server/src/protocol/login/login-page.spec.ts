import { OAuthError } from '@app/errors';

import { readCookie, sessionCookie } from './cookies';
import { renderErrorPage } from './error-page';
import { escapeHtml } from './html';
import { renderLoginPage } from './login-page';
import { pickLocale } from './messages';

const urls = { action: '/uas/oauth2/authorization', stylesheet: '/uas/oauth2/static/login.css' };
const form = {
  ticket: 't"1',
  clientName: 'A & B <app>',
  username: null,
  uiLocales: null,
  failed: false,
};

describe(renderLoginPage.name, () => {
  it('escapes everything that came from a request or the database', () => {
    const html = renderLoginPage({ ...form, username: '"><img src=x onerror=alert(1)>' }, urls);

    expect(html).toContain('value="t&quot;1"');
    expect(html).toContain('A &amp; B &lt;app&gt;');
    expect(html).toContain('value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
    expect(html).not.toContain('<img');
  });

  it('focuses the username, or the password when the username is known', () => {
    expect(renderLoginPage(form, urls)).toMatch(/name="username"[^>]* autofocus>/);
    expect(renderLoginPage({ ...form, username: 'alice' }, urls)).toMatch(
      /name="password"[^>]* autofocus>/,
    );
  });

  it('says when the signed-in account may not use the application, in the asked language', () => {
    const html = renderLoginPage({ ...form, notAllowed: true, uiLocales: 'sv' }, urls);

    expect(html).toContain(
      '<p id="uas-error" class="uas-error" role="alert">Du är inloggad med ett konto som inte får använda det här programmet.',
    );
    expect(renderLoginPage(form, urls)).not.toContain('uas-error');
  });

  it('announces a failure and ties it to the fields', () => {
    const html = renderLoginPage({ ...form, failed: true, uiLocales: 'fi' }, urls);

    expect(html).toContain(
      '<p id="uas-error" class="uas-error" role="alert">Käyttäjätunnus tai salasana on virheellinen.</p>',
    );
    expect(html.match(/aria-describedby="uas-error"/g)).toHaveLength(2);
  });
});

describe(renderErrorPage.name, () => {
  it('shows the code and the public description, marked as English on a Finnish page', () => {
    const html = renderErrorPage(
      new OAuthError('invalid_client', 'The client is not known.', { detail: 'secret detail' }),
      'fi',
      urls.stylesheet,
    );

    expect(html).toContain('<html lang="fi">');
    expect(html).toContain(
      '<p class="uas-error" role="alert" lang="en">The client is not known.</p>',
    );
    expect(html).toContain('<code>invalid_client</code>');
    expect(html).not.toContain('secret detail');
  });
});

describe(pickLocale.name, () => {
  it.each([
    [null, 'en'],
    ['', 'en'],
    ['fi', 'fi'],
    ['SV-fi', 'sv'],
    ['de-DE en fi', 'en'],
    ['ja', 'en'],
  ])('%p → %s', (uiLocales, locale) => {
    expect(pickLocale(uiLocales)).toBe(locale);
  });
});

describe('cookies', () => {
  it('reads one cookie among several', () => {
    expect(readCookie('a=1; uas_session=abc; b=2', 'uas_session')).toBe('abc');
    expect(readCookie('xuas_session=abc', 'uas_session')).toBeNull();
    expect(readCookie(undefined, 'uas_session')).toBeNull();
  });

  it('writes HttpOnly, SameSite=Lax cookies, Secure for an https issuer', () => {
    expect(sessionCookie('uas_session', 'v', { path: '/uas', secure: true })).toBe(
      'uas_session=v; Path=/uas; HttpOnly; SameSite=Lax; Secure',
    );
    expect(sessionCookie('uas_session', 'v', { path: '/', secure: false })).toBe(
      'uas_session=v; Path=/; HttpOnly; SameSite=Lax',
    );
  });
});

describe(escapeHtml.name, () => {
  it('escapes the five characters that matter in text and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
