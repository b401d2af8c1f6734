import { OAuthError } from '@app/errors';

import { codeResponseLocation, errorResponseLocation } from './authorization-response';

describe('authorization response locations', () => {
  describe(codeResponseLocation.name, () => {
    it('adds the code and the state to the registered URI, keeping its own query', () => {
      expect(codeResponseLocation('https://app.example.com/cb?tenant=a', 'the-code', 'st')).toBe(
        'https://app.example.com/cb?tenant=a&code=the-code&state=st',
      );
    });

    it('leaves out a state the request did not carry', () => {
      expect(codeResponseLocation('https://app.example.com/cb', 'the-code', null)).toBe(
        'https://app.example.com/cb?code=the-code',
      );
    });
  });

  describe(errorResponseLocation.name, () => {
    const error = new OAuthError(
      'invalid_scope',
      'The requested scope is not allowed for this client.',
    );

    it('adds error, error_description and the encoded state (RFC 6749 §4.1.2.1)', () => {
      expect(
        errorResponseLocation(error, { redirectUri: 'https://app.example.com/cb', state: 'a&b' }),
      ).toBe(
        'https://app.example.com/cb?error=invalid_scope&error_description=The+requested+scope+is+not+allowed+for+this+client.&state=a%26b',
      );
    });

    it('keeps the registered query and leaves out a missing state', () => {
      expect(
        errorResponseLocation(error, {
          redirectUri: 'https://app.example.com/cb?tenant=a',
          state: null,
        }),
      ).toBe(
        'https://app.example.com/cb?tenant=a&error=invalid_scope&error_description=The+requested+scope+is+not+allowed+for+this+client.',
      );
    });
  });
});
