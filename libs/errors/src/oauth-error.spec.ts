import { OAuthError } from './oauth-error';

describe(OAuthError.name, () => {
  describe('redirectingTo', () => {
    it('keeps code, description and options, adding where the error goes', () => {
      const error = new OAuthError('temporarily_unavailable', 'Try again later.', {
        retryAfterSeconds: 5,
        detail: 'jwks_uri timed out',
      });

      const redirected = error.redirectingTo({
        redirectUri: 'https://app.example.com/cb',
        state: 'st',
        responseMode: 'form_post',
      });

      expect([redirected.code, redirected.description, redirected.status]).toEqual([
        'temporarily_unavailable',
        'Try again later.',
        503,
      ]);
      expect(redirected.options).toEqual({
        retryAfterSeconds: 5,
        detail: 'jwks_uri timed out',
        redirect: {
          redirectUri: 'https://app.example.com/cb',
          state: 'st',
          responseMode: 'form_post',
        },
      });
      expect(error.options.redirect).toBeUndefined();
    });
  });
});
