import { ClientMetadata, ClientRegistry, RegisteredClient } from '@app/clients';
import { OAuthError } from '@app/errors';

import { caught, mockOf } from '../../../test/mocks';
import { AuthorizationInput } from './authorization-request';
import { AuthorizationRequestValidator } from './authorization-request.validator';
import { RequestObjectVerifier } from './request-object.verifier';

const CLIENT_ID = '6b1d3f0e-2a4c-4e8f-9b7a-1c2d3e4f5a6b';
const REDIRECT = 'https://app.example.com/cb';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

function makeClient(metadata: Partial<ClientMetadata> = {}): RegisteredClient {
  return {
    clientId: CLIENT_ID,
    metadata: {
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...metadata,
    },
    issuedAt: new Date('2030-01-01T00:00:00Z'),
    secret: 'secret',
    secretHash: null,
    tokenGeneration: 0,
  };
}

const params = (
  extra: Record<string, string | string[]> = {},
): Record<string, string | string[]> => ({
  response_type: 'code',
  client_id: CLIENT_ID,
  redirect_uri: REDIRECT,
  scope: 'openid',
  state: 'st',
  ...extra,
});

/** The query or form as RequestParams reads it: a string once, an array when repeated. */
function inputOf(raw: Record<string, string | string[]>): AuthorizationInput {
  const values: Record<string, string> = {};
  const repeated: string[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'string') values[name] = value;
    else repeated.push(name);
  }
  return { values, repeated };
}

/** The code of the OAuthError `validation` rejects with, and where it goes (null: shown to the user). */
async function rejection(
  validation: Promise<unknown>,
): Promise<{ code: string; redirect: unknown }> {
  const error = await caught(validation);
  return { code: error.code, redirect: error.options.redirect ?? null };
}

describe(AuthorizationRequestValidator.name, () => {
  let clients: jest.Mocked<ClientRegistry>;
  let requestObjects: jest.Mocked<RequestObjectVerifier>;
  let sut: AuthorizationRequestValidator;

  beforeEach(() => {
    clients = mockOf<ClientRegistry>();
    requestObjects = mockOf<RequestObjectVerifier>();
    sut = new AuthorizationRequestValidator(clients, requestObjects);
    clients.findById.mockResolvedValue(makeClient());
  });

  const validate = (raw: Record<string, string | string[]>) => sut.validate(inputOf(raw));

  it('returns the validated request', async () => {
    const result = await validate(
      params({
        nonce: 'n',
        code_challenge: CHALLENGE,
        code_challenge_method: 'S256',
        max_age: '60',
        ui_locales: 'fi',
        login_hint: 'alice',
        acr_values: 'urn:uas:acr:mfa',
      }),
    );

    expect(result).toEqual({
      client: makeClient(),
      redirectUri: REDIRECT,
      redirectUriSent: true,
      state: 'st',
      responseMode: 'query',
      scope: ['openid'],
      nonce: 'n',
      requestedClaims: null,
      promptNone: false,
      promptLogin: false,
      maxAgeSeconds: 60,
      uiLocales: 'fi',
      loginHint: 'alice',
      acrValues: 'urn:uas:acr:mfa',
      codeChallenge: CHALLENGE,
      codeChallengeMethod: 'S256',
    });
  });

  it('shows an unknown client instead of redirecting', async () => {
    clients.findById.mockResolvedValue(null);

    expect(await rejection(validate(params()))).toEqual({ code: 'invalid_client', redirect: null });
  });

  it('shows an unregistered redirect URI instead of redirecting, before any other error', async () => {
    const result = rejection(
      validate(params({ redirect_uri: 'https://evil.example.com/cb', response_type: 'token' })),
    );

    expect(await result).toEqual({ code: 'invalid_request', redirect: null });
  });

  it('redirects later errors to the redirect URI with the state', async () => {
    expect(await rejection(validate(params({ response_type: 'token' })))).toEqual({
      code: 'unsupported_response_type',
      redirect: { redirectUri: REDIRECT, state: 'st', responseMode: 'query' },
    });
  });

  describe('response_mode', () => {
    it('takes form_post, and sends later errors the same way', async () => {
      const accepted = await validate(params({ response_mode: 'form_post' }));
      const refused = rejection(
        validate(params({ response_mode: 'form_post', claims: 'not json' })),
      );

      expect(accepted.responseMode).toBe('form_post');
      expect(await refused).toEqual({
        code: 'invalid_request',
        redirect: { redirectUri: REDIRECT, state: 'st', responseMode: 'form_post' },
      });
    });

    it('takes query as the default', async () => {
      expect((await validate(params({ response_mode: 'query' }))).responseMode).toBe('query');
    });

    it.each(['fragment', 'form_post.jwt', 'FORM_POST'])(
      'refuses %s as invalid_request, sent in the query (Multiple Response Type Encoding Practices §5)',
      async (mode) => {
        expect(await rejection(validate(params({ response_mode: mode })))).toEqual({
          code: 'invalid_request',
          redirect: { redirectUri: REDIRECT, state: 'st', responseMode: 'query' },
        });
      },
    );

    it('sends a repeat error in the query when response_mode is itself repeated', async () => {
      const error = await caught(validate(params({ response_mode: ['form_post', 'form_post'] })));

      expect(error.options.redirect).toEqual({
        redirectUri: REDIRECT,
        state: 'st',
        responseMode: 'query',
      });
    });

    it('sends a repeat error by form_post when the outer request asked for it', async () => {
      const error = await caught(
        validate(params({ response_mode: 'form_post', scope: ['openid', 'openid'] })),
      );

      expect(error.options.redirect).toEqual({
        redirectUri: REDIRECT,
        state: 'st',
        responseMode: 'form_post',
      });
    });
  });

  it('redirects a repeated parameter as invalid_request, naming it only when it looks like a parameter', async () => {
    const scope = await caught(validate(params({ scope: ['openid', 'openid'] })));
    const odd = await caught(validate(params({ '<img src=x>': ['a', 'b'] })));

    expect([scope.code, scope.description, scope.options.redirect]).toEqual([
      'invalid_request',
      'The scope parameter is repeated.',
      { redirectUri: REDIRECT, state: 'st', responseMode: 'query' },
    ]);
    expect(odd.description).toBe('A parameter is repeated.');
  });

  it('takes the only registered redirect URI when none is sent, and remembers it was not sent', async () => {
    const { redirect_uri: _omitted, ...rest } = params();

    const result = await validate(rest);

    expect([result.redirectUri, result.redirectUriSent]).toEqual([REDIRECT, false]);
  });

  it.each([
    ['prompt=login', { prompt: 'login' }, { promptLogin: true, promptNone: false }],
    ['prompt=none', { prompt: 'none' }, { promptLogin: false, promptNone: true }],
    [
      'max_age=0 (same as prompt=login)',
      { max_age: '0' },
      { promptLogin: true, promptNone: false },
    ],
    [
      'prompt=consent select_account (accepted, ignored)',
      { prompt: 'consent select_account' },
      { promptLogin: false, promptNone: false },
    ],
  ])('reads %s', async (_case, extra, expected) => {
    const result = await validate(params(extra));

    expect(result).toMatchObject(expected);
  });

  describe('PKCE', () => {
    it('requires a challenge from a public client', async () => {
      clients.findById.mockResolvedValue(makeClient({ token_endpoint_auth_method: 'none' }));

      expect((await rejection(validate(params()))).code).toBe('invalid_request');
    });

    it('requires a challenge from a client that registered code_challenge_method', async () => {
      clients.findById.mockResolvedValue(makeClient({ code_challenge_method: 'S256' }));

      expect((await rejection(validate(params()))).code).toBe('invalid_request');
    });

    it('takes a challenge without a method as plain, refused unless registered', async () => {
      expect((await rejection(validate(params({ code_challenge: CHALLENGE })))).code).toBe(
        'invalid_request',
      );
    });

    it('accepts plain from a client that registered it', async () => {
      clients.findById.mockResolvedValue(makeClient({ code_challenge_method: 'plain' }));

      const result = await validate(params({ code_challenge: CHALLENGE }));

      expect(result.codeChallengeMethod).toBe('plain');
    });

    it('refuses plain from a public client even if its registration says plain (CONTRACT: public clients use S256)', async () => {
      clients.findById.mockResolvedValue(
        makeClient({ token_endpoint_auth_method: 'none', code_challenge_method: 'plain' }),
      );

      expect(
        (
          await rejection(
            validate(params({ code_challenge: CHALLENGE, code_challenge_method: 'plain' })),
          )
        ).code,
      ).toBe('invalid_request');
    });

    it('accepts S256 from a client that registered plain', async () => {
      clients.findById.mockResolvedValue(makeClient({ code_challenge_method: 'plain' }));

      const result = await validate(
        params({ code_challenge: CHALLENGE, code_challenge_method: 'S256' }),
      );

      expect(result.codeChallengeMethod).toBe('S256');
    });
  });

  describe('request objects', () => {
    it('merges the verified claims over the outer parameters, dropping the JWT claims', async () => {
      requestObjects.verify.mockResolvedValue({
        iss: CLIENT_ID,
        aud: 'https://idp.example.com/uas',
        exp: 1,
        jti: 'j',
        client_id: CLIENT_ID,
        state: 'inner',
        max_age: 30,
      });

      const result = await validate(params({ request: 'a.b.c', state: 'outer' }));

      expect(requestObjects.verify).toHaveBeenCalledWith('a.b.c', makeClient());
      expect(result).toMatchObject({ state: 'inner', maxAgeSeconds: 30, scope: ['openid'] });
    });

    it('redirects a verification failure with the outer state', async () => {
      requestObjects.verify.mockRejectedValue(
        new OAuthError('invalid_request_object', 'The request object is invalid.'),
      );

      expect(await rejection(validate(params({ request: 'a.b.c' })))).toEqual({
        code: 'invalid_request_object',
        redirect: { redirectUri: REDIRECT, state: 'st', responseMode: 'query' },
      });
    });

    it('shows a verification failure when no redirect URI is known yet', async () => {
      clients.findById.mockResolvedValue(
        makeClient({ redirect_uris: [REDIRECT, 'https://app.example.com/other'] }),
      );
      requestObjects.verify.mockRejectedValue(
        new OAuthError('invalid_request_object', 'The request object is invalid.'),
      );
      const { redirect_uri: _omitted, ...rest } = params({ request: 'a.b.c' });

      expect(await rejection(validate(rest))).toEqual({
        code: 'invalid_request_object',
        redirect: null,
      });
    });

    it.each([
      ['client_id', { client_id: 'b1d3f0e6-2a4c-4e8f-9b7a-1c2d3e4f5a6b' }],
      ['response_type', { response_type: 'token' }],
    ])('refuses an object whose %s differs from the outer one', async (_name, claims) => {
      requestObjects.verify.mockResolvedValue({ iss: CLIENT_ID, ...claims });

      expect((await rejection(validate(params({ request: 'a.b.c' })))).code).toBe(
        'invalid_request_object',
      );
    });

    it('requires an object from a client that registered request_object_signing_alg', async () => {
      clients.findById.mockResolvedValue(makeClient({ request_object_signing_alg: 'RS256' }));

      expect((await rejection(validate(params()))).code).toBe('invalid_request');
    });

    it('answers request_uri with request_uri_not_supported without looking at it', async () => {
      expect(
        (await rejection(validate(params({ request_uri: 'https://app.example.com/r' })))).code,
      ).toBe('request_uri_not_supported');
      expect(requestObjects.verify).not.toHaveBeenCalled();
    });
  });
});
