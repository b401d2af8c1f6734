import { OAuthError } from '@app/errors';

import { pick, RequestParams } from './request-params';

const FORM = 'application/x-www-form-urlencoded';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof OAuthError) return error.code;
    throw error;
  }
  throw new Error('expected an OAuthError');
}

describe(RequestParams.name, () => {
  describe('reading', () => {
    it('omits a parameter sent without a value, yet knows it was sent (RFC 6749 §3.1)', () => {
      const sut = RequestParams.fromQuery({ state: '', scope: 'openid' });

      expect(sut.values).toEqual({ scope: 'openid' });
      expect(sut.has('state')).toBe(true);
      expect(sut.has('nonce')).toBe(false);
    });

    it('lists repeated parameters apart from the values', () => {
      const sut = RequestParams.fromQuery({ scope: ['openid', 'openid'], state: 'st' });

      expect(sut.values).toEqual({ state: 'st' });
      expect(sut.repeated).toEqual(['scope']);
      expect(sut.has('scope')).toBe(true);
    });

    it('refuses a POST body that is not a form', () => {
      expect(
        codeOf(() => RequestParams.fromForm('application/json', { grant_type: 'password' })),
      ).toBe('invalid_request');
      expect(codeOf(() => RequestParams.fromForm(undefined, undefined))).toBe('invalid_request');
    });

    it('accepts a form with a charset', () => {
      expect(RequestParams.fromForm(`${FORM}; charset=UTF-8`, { token: 't' }).values).toEqual({
        token: 't',
      });
    });

    it('reads an optional form body only when it is a form', () => {
      expect(RequestParams.fromOptionalForm('text/plain', { access_token: 't' }).values).toEqual(
        {},
      );
      expect(RequestParams.fromOptionalForm(FORM, { access_token: 't' }).values).toEqual({
        access_token: 't',
      });
      expect(RequestParams.fromOptionalForm(FORM, undefined).values).toEqual({});
    });
  });

  describe('singleValued', () => {
    it('answers the values', () => {
      expect(
        RequestParams.fromForm(FORM, { grant_type: 'password', scope: '' }).singleValued(),
      ).toEqual({ grant_type: 'password' });
    });

    it('refuses a repeated parameter with invalid_request', () => {
      expect(codeOf(() => RequestParams.fromForm(FORM, { scope: ['a', 'b'] }).singleValued())).toBe(
        'invalid_request',
      );
    });

    it.each([
      ['a NUL in a value', { username: 'iv\u0000y' }],
      ['a control character in a name', { 'user\u0001name': 'ivy' }],
      ['DEL in a value', { username: 'ivy\u007f' }],
      ['a control character beside non-ASCII text', { name: 'Zoë\u001b[2J' }],
    ])('refuses %s with invalid_request', (_case, body) => {
      expect(codeOf(() => RequestParams.fromForm(FORM, body).singleValued())).toBe(
        'invalid_request',
      );
    });

    it('keeps tab, CR and LF, which free text may hold', () => {
      const body = { x_globalsign_iam_otp_body: 'Your code:\r\n\t{0}' };

      expect(RequestParams.fromForm(FORM, body).singleValued()).toEqual(body);
    });

    it('keeps text beyond ASCII, which only the slower check reads', () => {
      const body = { ui_locales: 'fi', given_name: 'Zoë Ångström 山田', nickname: '\u00a0' };

      expect(RequestParams.fromForm(FORM, body).singleValued()).toEqual(body);
    });

    it('reports the first problem in the order received', () => {
      const error = (() => {
        try {
          RequestParams.fromForm(FORM, { username: 'a\u0000', scope: ['a', 'b'] }).singleValued();
        } catch (e) {
          return e as OAuthError;
        }
        throw new Error('expected an OAuthError');
      })();

      expect(error.description).toBe('The username parameter contains a control character.');
    });
  });

  describe(pick.name, () => {
    it('keeps only the named parameters', () => {
      expect(
        pick({ grant_type: 'password', username: 'u', extra: 'x' }, ['username', 'password']),
      ).toEqual({ username: 'u' });
    });
  });
});
