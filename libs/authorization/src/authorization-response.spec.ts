import { RegisteredClient } from '@app/clients';
import { OAuthError } from '@app/errors';

import { AuthorizationRequest } from './authorization-request';
import { codeResponse, errorResponse, responseLocation } from './authorization-response';

function makeRequest(overrides: Partial<AuthorizationRequest> = {}): AuthorizationRequest {
  return {
    client: {} as RegisteredClient,
    redirectUri: 'https://app.example.com/cb?tenant=a',
    redirectUriSent: true,
    state: 'st',
    responseMode: 'form_post',
    scope: ['openid'],
    nonce: null,
    promptNone: false,
    promptLogin: false,
    maxAgeSeconds: null,
    uiLocales: null,
    loginHint: null,
    acrValues: null,
    codeChallenge: null,
    codeChallengeMethod: null,
    requestedClaims: null,
    ...overrides,
  };
}

describe('authorization responses', () => {
  const error = new OAuthError(
    'invalid_scope',
    'The requested scope is not allowed for this client.',
  );

  describe(codeResponse.name, () => {
    it("carries the code and the state to the request's redirect URI in its response mode", () => {
      expect(codeResponse(makeRequest(), 'the-code')).toEqual({
        redirectUri: 'https://app.example.com/cb?tenant=a',
        responseMode: 'form_post',
        params: { code: 'the-code', state: 'st' },
      });
    });

    it('leaves out a state the request did not carry', () => {
      expect(codeResponse(makeRequest({ state: null }), 'the-code').params).toEqual({
        code: 'the-code',
      });
    });
  });

  describe(errorResponse.name, () => {
    it('carries error, error_description and state in the mode of the target (RFC 6749 §4.1.2.1)', () => {
      expect(
        errorResponse(error, {
          redirectUri: 'https://app.example.com/cb',
          state: 'a&b',
          responseMode: 'form_post',
        }),
      ).toEqual({
        redirectUri: 'https://app.example.com/cb',
        responseMode: 'form_post',
        params: {
          error: 'invalid_scope',
          error_description: 'The requested scope is not allowed for this client.',
          state: 'a&b',
        },
      });
    });
  });

  describe(responseLocation.name, () => {
    it('appends the encoded parameters to the registered URI, keeping its own query', () => {
      const response = errorResponse(error, {
        redirectUri: 'https://app.example.com/cb?tenant=a',
        state: 'a&b',
        responseMode: 'query',
      });

      expect(responseLocation(response)).toBe(
        'https://app.example.com/cb?tenant=a&error=invalid_scope&error_description=The+requested+scope+is+not+allowed+for+this+client.&state=a%26b',
      );
    });

    it('starts the query of a URI that has none, without a missing state', () => {
      expect(
        responseLocation(
          codeResponse(
            makeRequest({ redirectUri: 'https://app.example.com/cb', state: null }),
            'the-code',
          ),
        ),
      ).toBe('https://app.example.com/cb?code=the-code');
    });
  });
});
