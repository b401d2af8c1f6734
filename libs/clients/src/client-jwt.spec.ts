import { ClientJwtType, hasOnlyAudiences, isUntypedOr } from './client-jwt';

describe('client JWT rules', () => {
  describe(isUntypedOr.name, () => {
    it('accepts a header without typ', () => {
      expect(isUntypedOr({ alg: 'RS256' }, ClientJwtType.RequestObject)).toBe(true);
    });

    it.each([
      'oauth-authz-req+jwt',
      'OAuth-Authz-Req+JWT',
      'application/oauth-authz-req+jwt',
      'Application/OAUTH-AUTHZ-REQ+JWT',
    ])('accepts typ %s for a request object (RFC 7515 §4.1.9)', (typ) => {
      expect(isUntypedOr({ typ }, ClientJwtType.RequestObject)).toBe(true);
    });

    it.each(['JWT', 'jwt', 'application/jwt'])('accepts typ %s for a client assertion', (typ) => {
      expect(isUntypedOr({ typ }, ClientJwtType.ClientAssertion)).toBe(true);
    });

    it.each([
      ['JWT'],
      ['at+jwt'],
      ['logout+jwt'],
      ['text/oauth-authz-req+jwt'],
      [''],
      [null],
      [['oauth-authz-req+jwt']],
    ])('refuses typ %j for a request object', (typ) => {
      expect(isUntypedOr({ typ }, ClientJwtType.RequestObject)).toBe(false);
    });

    it.each(['oauth-authz-req+jwt', 'at+jwt', 'logout+jwt', 'jwt+xml'])(
      'refuses typ %s for a client assertion',
      (typ) => {
        expect(isUntypedOr({ typ }, ClientJwtType.ClientAssertion)).toBe(false);
      },
    );
  });

  describe(hasOnlyAudiences.name, () => {
    const allowed = ['https://idp.example/uas', 'https://idp.example/uas/oauth2/token'];

    it.each([['https://idp.example/uas'], [['https://idp.example/uas']], [allowed]])(
      'accepts %j',
      (aud) => {
        expect(hasOnlyAudiences(aud, allowed)).toBe(true);
      },
    );

    it.each([
      [undefined],
      [[]],
      ['https://other.example'],
      [['https://idp.example/uas', 'https://other.example']],
      [['https://idp.example/uas', 42]],
      ['https://IDP.example/uas'],
    ])('refuses %j', (aud) => {
      expect(hasOnlyAudiences(aud, allowed)).toBe(false);
    });
  });
});
