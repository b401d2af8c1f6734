import { generateKeyPairSync } from 'node:crypto';

import { OAuthError } from '@app/errors';

import {
  authMethodUsesSecret,
  ClientMetadataInput,
  ClientMetadataSupport,
  clientMetadataSupportFrom,
  ClientMetadataValidator,
} from './client-metadata.validator';

/** Everything the seed document lists, plus client_credentials and none. */
const FULL: ClientMetadataSupport = {
  grantTypes: ['authorization_code', 'password', 'client_credentials', 'refresh_token'],
  responseTypes: ['code'],
  tokenEndpointAuthMethods: [
    'client_secret_post',
    'client_secret_basic',
    'client_secret_jwt',
    'private_key_jwt',
    'none',
  ],
  tokenEndpointAuthSigningAlgs: ['HS256', 'RS256'],
  idTokenSigningAlgs: ['RS256', 'HS256'],
  idTokenEncryptionAlgs: ['RSA-OAEP', 'RSA-OAEP-256', 'RSA1_5', 'A128KW', 'A256KW'],
  idTokenEncryptionEncs: ['A128CBC-HS256', 'A256GCM'],
  userinfoSigningAlgs: ['RS256', 'HS256'],
  userinfoEncryptionAlgs: ['RSA-OAEP', 'A128KW'],
  userinfoEncryptionEncs: ['A128CBC-HS256'],
  requestObjectSigningAlgs: ['RS256', 'HS256'],
  requestObjectEncryptionAlgs: ['RSA-OAEP', 'A128KW'],
  requestObjectEncryptionEncs: ['A128CBC-HS256'],
  scopes: ['openid', 'userinfo'],
  codeChallengeMethods: ['S256', 'plain'],
};

/** A server that implements nothing yet. */
const EMPTY: ClientMetadataSupport = {
  grantTypes: [],
  responseTypes: [],
  tokenEndpointAuthMethods: [],
  tokenEndpointAuthSigningAlgs: [],
  idTokenSigningAlgs: [],
  idTokenEncryptionAlgs: [],
  idTokenEncryptionEncs: [],
  userinfoSigningAlgs: [],
  userinfoEncryptionAlgs: [],
  userinfoEncryptionEncs: [],
  requestObjectSigningAlgs: [],
  requestObjectEncryptionAlgs: [],
  requestObjectEncryptionEncs: [],
  scopes: [],
  codeChallengeMethods: [],
};

function rsaPublicJwk(modulusLength: number): Record<string, unknown> {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength });
  return publicKey.export({ format: 'jwk' });
}

const RSA_PUBLIC = rsaPublicJwk(2048);
const WEB_CLIENT: ClientMetadataInput = { redirect_uris: ['https://app.example.com/cb'] };

function failure(fn: () => unknown): OAuthError {
  try {
    fn();
  } catch (error) {
    if (error instanceof OAuthError) return error;
    throw error;
  }
  throw new Error('expected an OAuthError');
}

function fieldsOf(error: OAuthError): string[] {
  return (error.options.fields ?? []).map((f) => f.field);
}

describe(ClientMetadataValidator.name, () => {
  const sut = new ClientMetadataValidator();

  describe('defaults', () => {
    it('defaults to the code flow with client_secret_basic', () => {
      const metadata = sut.validate(WEB_CLIENT, FULL);

      expect(metadata).toEqual({
        redirect_uris: ['https://app.example.com/cb'],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      });
    });

    it('stores the default grant and auth method even while the server does not offer them yet', () => {
      const metadata = sut.validate(WEB_CLIENT, EMPTY);

      expect(metadata.grant_types).toEqual(['authorization_code']);
      expect(metadata.response_types).toEqual(['code']);
      expect(metadata.token_endpoint_auth_method).toBe('client_secret_basic');
    });

    it('defaults response_types to none without the authorization_code grant', () => {
      const metadata = sut.validate({ grant_types: ['client_credentials'] }, FULL);

      expect(metadata.response_types).toEqual([]);
      expect(metadata.redirect_uris).toEqual([]);
    });

    it('treats null as an omitted member', () => {
      const metadata = sut.validate(
        { grant_types: ['client_credentials'], client_name: null, jwks_uri: null },
        FULL,
      );

      expect(metadata).not.toHaveProperty('client_name');
      expect(metadata).not.toHaveProperty('jwks_uri');
    });
  });

  describe('supported values', () => {
    it('refuses a grant type outside grant_types_supported, naming its index', () => {
      const error = failure(() =>
        sut.validate({ ...WEB_CLIENT, grant_types: ['authorization_code', 'implicit'] }, FULL),
      );

      expect(error.code).toBe('invalid_client_metadata');
      expect(fieldsOf(error)).toEqual(['grant_types[1]']);
    });

    it('refuses a supplied grant type the server does not offer yet', () => {
      const error = failure(() => sut.validate({ grant_types: ['client_credentials'] }, EMPTY));

      expect(fieldsOf(error)).toEqual(['grant_types[0]']);
    });

    it('refuses a response type outside response_types_supported', () => {
      const error = failure(() =>
        sut.validate({ ...WEB_CLIENT, response_types: ['code', 'token'] }, FULL),
      );

      expect(fieldsOf(error)).toEqual(['response_types[1]']);
    });

    it('refuses an auth method outside token_endpoint_auth_methods_supported', () => {
      const error = failure(() =>
        sut.validate({ ...WEB_CLIENT, token_endpoint_auth_method: 'tls_client_auth' }, FULL),
      );

      expect(fieldsOf(error)).toEqual(['token_endpoint_auth_method']);
    });

    it.each([
      'id_token_signed_response_alg',
      'userinfo_signed_response_alg',
      'request_object_signing_alg',
      'token_endpoint_auth_signing_alg',
    ] as const)('refuses "none" as %s', (field) => {
      const error = failure(() =>
        sut.validate(
          { ...WEB_CLIENT, token_endpoint_auth_method: 'client_secret_jwt', [field]: 'none' },
          FULL,
        ),
      );

      expect(fieldsOf(error)).toContain(field);
    });

    it.each([
      ['id_token_encrypted_response_alg', 'ECDH-ES'],
      ['userinfo_encrypted_response_alg', 'RSA-OAEP-256'],
      ['request_object_encryption_alg', 'RSA1_5'],
    ] as const)('refuses %s %s, which its list does not have', (field, alg) => {
      const error = failure(() =>
        sut.validate(
          { ...WEB_CLIENT, jwks_uri: 'https://app.example.com/jwks', [field]: alg },
          FULL,
        ),
      );

      expect(fieldsOf(error)).toContain(field);
    });

    it('refuses an enc outside its list', () => {
      const error = failure(() =>
        sut.validate(
          {
            ...WEB_CLIENT,
            userinfo_encrypted_response_alg: 'A128KW',
            userinfo_encrypted_response_enc: 'A256GCM',
          },
          FULL,
        ),
      );

      expect(fieldsOf(error)).toEqual(['userinfo_encrypted_response_enc']);
    });

    it('accepts scope values of scopes_supported', () => {
      expect(sut.validate({ ...WEB_CLIENT, scope: 'openid userinfo' }, FULL).scope).toBe(
        'openid userinfo',
      );
    });

    it('refuses a scope value outside scopes_supported', () => {
      const error = failure(() => sut.validate({ ...WEB_CLIENT, scope: 'openid admin' }, FULL));

      expect(fieldsOf(error)).toEqual(['scope']);
    });

    it('refuses an empty scope', () => {
      const error = failure(() => sut.validate({ ...WEB_CLIENT, scope: '' }, FULL));

      expect(fieldsOf(error)).toEqual(['scope']);
    });
  });

  describe('redirect_uris', () => {
    it.each([
      'https://app.example.com/cb?x=1',
      'http://127.0.0.1:8080/cb',
      'http://[::1]/cb',
      'http://localhost:3000/cb',
    ])('accepts %s', (uri) => {
      expect(sut.validate({ redirect_uris: [uri] }, FULL).redirect_uris).toEqual([uri]);
    });

    it.each([
      ['a relative URI', '/cb'],
      ['a fragment', 'https://app.example.com/cb#x'],
      ['an empty fragment', 'https://app.example.com/cb#'],
      ['plain http to a remote host', 'http://app.example.com/cb'],
      ['a host merely starting like loopback', 'http://127.0.0.1.example.com/cb'],
      ['a custom scheme', 'com.example.app:/cb'],
      ['javascript:', 'javascript:alert(1)'],
      ['a wildcard host', 'https://*.example.com/cb'],
      ['a percent-encoded wildcard host', 'https://%2A.example.com/cb'],
      ['a wildcard path', 'https://app.example.com/*'],
      ['a user name', 'https://user@app.example.com/cb'],
      ['a user name and password', 'https://user:pw@app.example.com/cb'],
      ['an empty userinfo', 'https://@app.example.com/cb'],
      ['a host hidden behind userinfo', 'https://app.example.com:443@evil.example.net/cb'],
      ['a query with code', 'https://app.example.com/cb?code=x'],
      ['a query with state', 'https://app.example.com/cb?a=1&state=x'],
      ['a query with error', 'https://app.example.com/cb?error=access_denied'],
      ['a query with iss', 'https://app.example.com/cb?iss=https://evil.example.net'],
      ['more than 2,000 characters', `https://app.example.com/${'a'.repeat(1977)}`],
    ])('refuses %s with invalid_redirect_uri', (_, uri) => {
      const error = failure(() =>
        sut.validate({ redirect_uris: ['https://ok.example.com/cb', uri] }, FULL),
      );

      expect(error.code).toBe('invalid_redirect_uri');
      expect(fieldsOf(error)).toEqual(['redirect_uris[1]']);
    });

    it('accepts exactly 2,000 characters', () => {
      const uri = `https://app.example.com/${'a'.repeat(1976)}`;

      expect(sut.validate({ redirect_uris: [uri] }, FULL).redirect_uris).toEqual([uri]);
    });

    it('accepts query parameters whose names only resemble the response parameters', () => {
      const uri = 'https://app.example.com/cb?codes=1&state_id=2&issuer=3';

      expect(sut.validate({ redirect_uris: [uri] }, FULL).redirect_uris).toEqual([uri]);
    });

    it('uses invalid_client_metadata when other fields are wrong too', () => {
      const error = failure(() =>
        sut.validate({ redirect_uris: ['/cb'], grant_types: ['implicit'] }, FULL),
      );

      expect(error.code).toBe('invalid_client_metadata');
      expect(fieldsOf(error)).toEqual(['grant_types[0]', 'redirect_uris[0]']);
    });

    it('requires a redirect URI for the authorization_code grant', () => {
      const error = failure(() => sut.validate({}, FULL));

      expect(error.code).toBe('invalid_client_metadata');
      expect(fieldsOf(error)).toEqual(['redirect_uris']);
    });
  });

  describe('keys', () => {
    it('refuses jwks and jwks_uri together', () => {
      const error = failure(() =>
        sut.validate(
          { ...WEB_CLIENT, jwks: { keys: [RSA_PUBLIC] }, jwks_uri: 'https://app.example.com/jwks' },
          FULL,
        ),
      );

      expect(fieldsOf(error)).toEqual(['jwks']);
    });

    it('accepts a jwks_uri on a loopback http host', () => {
      expect(
        sut.validate({ ...WEB_CLIENT, jwks_uri: 'http://127.0.0.1:9000/jwks' }, FULL).jwks_uri,
      ).toBe('http://127.0.0.1:9000/jwks');
    });

    it('refuses a plain-http jwks_uri on a remote host', () => {
      const error = failure(() =>
        sut.validate({ ...WEB_CLIENT, jwks_uri: 'http://app.example.com/jwks' }, FULL),
      );

      expect(error.code).toBe('invalid_client_metadata');
      expect(fieldsOf(error)).toEqual(['jwks_uri']);
    });

    it.each([
      ['a link-local address', 'https://169.254.169.254/latest/meta-data'],
      ['an IPv4-mapped link-local address', 'https://[::ffff:169.254.169.254]/jwks'],
      ['an IPv6 link-local address', 'https://[fe80::1]/jwks'],
      ['the unspecified address', 'https://0.0.0.0:8443/jwks'],
      ['a cloud-metadata host name', 'https://metadata.google.internal/jwks'],
      ['a user name', 'https://user@app.example.com/jwks'],
      ['a wildcard', 'https://*.example.com/jwks'],
    ])('refuses a jwks_uri with %s', (_, jwksUri) => {
      const error = failure(() => sut.validate({ ...WEB_CLIENT, jwks_uri: jwksUri }, FULL));

      expect(fieldsOf(error)).toEqual(['jwks_uri']);
    });

    it('accepts a jwks_uri with a query carrying state (only redirect URIs are answered to)', () => {
      const jwksUri = 'https://app.example.com/jwks?state=1';

      expect(sut.validate({ ...WEB_CLIENT, jwks_uri: jwksUri }, FULL).jwks_uri).toBe(jwksUri);
    });

    it('accepts a jwks_uri on a private address: intranet applications live there (CONTRACT §3)', () => {
      const jwksUri = 'https://10.1.2.3/jwks';

      expect(sut.validate({ ...WEB_CLIENT, jwks_uri: jwksUri }, FULL).jwks_uri).toBe(jwksUri);
    });

    it('refuses an RSA key shorter than 2048 bits', () => {
      const error = failure(() =>
        sut.validate({ ...WEB_CLIENT, jwks: { keys: [RSA_PUBLIC, rsaPublicJwk(1024)] } }, FULL),
      );

      expect(error.code).toBe('invalid_client_metadata');
      expect(fieldsOf(error)).toEqual(['jwks.keys[1]']);
    });

    it('refuses an RSA key whose n and e are not a key', () => {
      const error = failure(() =>
        sut.validate(
          { ...WEB_CLIENT, jwks: { keys: [{ kty: 'RSA', n: 'sXch', e: 'AQAB' }] } },
          FULL,
        ),
      );

      expect(fieldsOf(error)).toEqual(['jwks.keys[0]']);
    });

    it('accepts an RSA key of 3072 bits', () => {
      const key = rsaPublicJwk(3072);

      expect(sut.validate({ ...WEB_CLIENT, jwks: { keys: [key] } }, FULL).jwks).toEqual({
        keys: [key],
      });
    });

    it('refuses jwks that is not a JWK Set', () => {
      const error = failure(() =>
        sut.validate(
          { ...WEB_CLIENT, jwks: [RSA_PUBLIC] as unknown as { keys: Record<string, unknown>[] } },
          FULL,
        ),
      );

      expect(fieldsOf(error)).toEqual(['jwks']);
    });

    it.each(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'])(
      'refuses a key with the private member "%s"',
      (member) => {
        const error = failure(() =>
          sut.validate(
            { ...WEB_CLIENT, jwks: { keys: [RSA_PUBLIC, { ...RSA_PUBLIC, [member]: 'secret' }] } },
            FULL,
          ),
        );

        expect(fieldsOf(error)).toEqual(['jwks.keys[1]']);
      },
    );

    it('refuses a key without kty', () => {
      const error = failure(() =>
        sut.validate({ ...WEB_CLIENT, jwks: { keys: [{ n: 'x', e: 'AQAB' }] } }, FULL),
      );

      expect(fieldsOf(error)).toEqual(['jwks.keys[0]']);
    });

    it('refuses private_key_jwt without keys', () => {
      const error = failure(() =>
        sut.validate({ ...WEB_CLIENT, token_endpoint_auth_method: 'private_key_jwt' }, FULL),
      );

      expect(fieldsOf(error)).toEqual(['token_endpoint_auth_method']);
    });

    it('accepts private_key_jwt with jwks', () => {
      const metadata = sut.validate(
        {
          ...WEB_CLIENT,
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [RSA_PUBLIC] },
        },
        FULL,
      );

      expect(metadata.token_endpoint_auth_method).toBe('private_key_jwt');
    });

    it('refuses RSA encryption of ID tokens without a client key for encryption', () => {
      const error = failure(() =>
        sut.validate(
          {
            ...WEB_CLIENT,
            jwks: { keys: [{ ...RSA_PUBLIC, use: 'sig' }] },
            id_token_encrypted_response_alg: 'RSA-OAEP',
          },
          FULL,
        ),
      );

      expect(fieldsOf(error)).toEqual(['id_token_encrypted_response_alg']);
    });

    it('accepts RSA encryption with an RSA key marked use enc', () => {
      const metadata = sut.validate(
        {
          ...WEB_CLIENT,
          jwks: { keys: [{ ...RSA_PUBLIC, use: 'enc' }] },
          userinfo_encrypted_response_alg: 'RSA-OAEP',
        },
        FULL,
      );

      expect(metadata.userinfo_encrypted_response_alg).toBe('RSA-OAEP');
    });

    it('accepts RSA encryption with a jwks_uri', () => {
      const metadata = sut.validate(
        {
          ...WEB_CLIENT,
          jwks_uri: 'https://app.example.com/jwks',
          id_token_encrypted_response_alg: 'RSA1_5',
        },
        FULL,
      );

      expect(metadata.id_token_encrypted_response_alg).toBe('RSA1_5');
    });
  });

  describe('secrets', () => {
    it.each(['none', 'private_key_jwt'])(
      'refuses HS256 ID tokens for a client without a secret (%s)',
      (method) => {
        const error = failure(() =>
          sut.validate(
            {
              ...WEB_CLIENT,
              grant_types: ['authorization_code'],
              token_endpoint_auth_method: method,
              jwks: { keys: [RSA_PUBLIC] },
              id_token_signed_response_alg: 'HS256',
            },
            FULL,
          ),
        );

        expect(fieldsOf(error)).toEqual(['id_token_signed_response_alg']);
      },
    );

    it('accepts HS256 ID tokens with client_secret_basic', () => {
      expect(
        sut.validate({ ...WEB_CLIENT, id_token_signed_response_alg: 'HS256' }, FULL)
          .id_token_signed_response_alg,
      ).toBe('HS256');
    });

    it('refuses A128KW userinfo encryption for a public client', () => {
      const error = failure(() =>
        sut.validate(
          {
            ...WEB_CLIENT,
            token_endpoint_auth_method: 'none',
            userinfo_encrypted_response_alg: 'A128KW',
          },
          FULL,
        ),
      );

      expect(fieldsOf(error)).toEqual(['userinfo_encrypted_response_alg']);
    });

    it('refuses HS256 request objects for a private_key_jwt client', () => {
      const error = failure(() =>
        sut.validate(
          {
            ...WEB_CLIENT,
            token_endpoint_auth_method: 'private_key_jwt',
            jwks: { keys: [RSA_PUBLIC] },
            request_object_signing_alg: 'HS256',
          },
          FULL,
        ),
      );

      expect(fieldsOf(error)).toEqual(['request_object_signing_alg']);
    });

    it('refuses an asymmetric assertion alg with client_secret_jwt', () => {
      const error = failure(() =>
        sut.validate(
          {
            ...WEB_CLIENT,
            token_endpoint_auth_method: 'client_secret_jwt',
            token_endpoint_auth_signing_alg: 'RS256',
          },
          FULL,
        ),
      );

      expect(fieldsOf(error)).toEqual(['token_endpoint_auth_signing_alg']);
    });

    it('refuses an HS assertion alg with private_key_jwt', () => {
      const error = failure(() =>
        sut.validate(
          {
            ...WEB_CLIENT,
            token_endpoint_auth_method: 'private_key_jwt',
            jwks: { keys: [RSA_PUBLIC] },
            token_endpoint_auth_signing_alg: 'HS256',
          },
          FULL,
        ),
      );

      expect(fieldsOf(error)).toEqual(['token_endpoint_auth_signing_alg']);
    });

    it('refuses an assertion alg for a method that sends no assertion', () => {
      const error = failure(() =>
        sut.validate({ ...WEB_CLIENT, token_endpoint_auth_signing_alg: 'HS256' }, FULL),
      );

      expect(fieldsOf(error)).toEqual(['token_endpoint_auth_signing_alg']);
    });
  });

  describe('encryption pairs', () => {
    it.each([
      ['id_token_encrypted_response_enc'],
      ['userinfo_encrypted_response_enc'],
      ['request_object_encryption_enc'],
    ] as const)('refuses %s without its alg', (field) => {
      const error = failure(() => sut.validate({ ...WEB_CLIENT, [field]: 'A128CBC-HS256' }, FULL));

      expect(fieldsOf(error)).toEqual([field]);
    });
  });

  describe('grant and response type consistency', () => {
    it('refuses authorization_code without the code response type', () => {
      const error = failure(() =>
        sut.validate(
          { ...WEB_CLIENT, grant_types: ['authorization_code'], response_types: [] },
          FULL,
        ),
      );

      expect(fieldsOf(error)).toEqual(['response_types']);
    });

    it('refuses the code response type without authorization_code', () => {
      const error = failure(() =>
        sut.validate(
          { ...WEB_CLIENT, grant_types: ['client_credentials'], response_types: ['code'] },
          FULL,
        ),
      );

      expect(fieldsOf(error)).toEqual(['grant_types']);
    });

    it.each(['password', 'client_credentials'])(
      'refuses the %s grant for a public client',
      (grant) => {
        const error = failure(() =>
          sut.validate(
            {
              ...WEB_CLIENT,
              token_endpoint_auth_method: 'none',
              grant_types: ['authorization_code', grant],
            },
            FULL,
          ),
        );

        expect(fieldsOf(error)).toEqual(['grant_types']);
      },
    );

    it('refuses plain PKCE for a public client (CONTRACT §3)', () => {
      const error = failure(() =>
        sut.validate(
          { ...WEB_CLIENT, token_endpoint_auth_method: 'none', code_challenge_method: 'plain' },
          FULL,
        ),
      );

      expect(fieldsOf(error)).toEqual(['code_challenge_method']);
    });

    it('accepts a public client with the code flow and refresh tokens', () => {
      const metadata = sut.validate(
        {
          ...WEB_CLIENT,
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'refresh_token'],
        },
        FULL,
      );

      expect(metadata.grant_types).toEqual(['authorization_code', 'refresh_token']);
    });
  });

  it('lists every offending field in one error', () => {
    const error = failure(() =>
      sut.validate(
        {
          grant_types: ['implicit'],
          scope: 'admin',
          id_token_encrypted_response_enc: 'A128CBC-HS256',
        },
        FULL,
      ),
    );

    expect(fieldsOf(error).sort()).toEqual([
      'grant_types[0]',
      'id_token_encrypted_response_enc',
      'scope',
    ]);
  });
});

describe(clientMetadataSupportFrom.name, () => {
  it('reads each list from its metadata document member, and nothing from a missing one', () => {
    const support = clientMetadataSupportFrom({
      grant_types_supported: ['password'],
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
      id_token_encryption_enc_values_supported: ['A128CBC-HS256'],
      scopes_supported: ['openid'],
    });

    expect(support).toEqual({
      ...EMPTY,
      grantTypes: ['password'],
      tokenEndpointAuthMethods: ['client_secret_basic'],
      idTokenEncryptionEncs: ['A128CBC-HS256'],
      scopes: ['openid'],
    });
  });
});

describe(authMethodUsesSecret.name, () => {
  it.each([
    ['client_secret_basic', true],
    ['client_secret_post', true],
    ['client_secret_jwt', true],
    ['private_key_jwt', false],
    ['none', false],
  ])('%s → %s', (method, expected) => {
    expect(authMethodUsesSecret(method)).toBe(expected);
  });
});
