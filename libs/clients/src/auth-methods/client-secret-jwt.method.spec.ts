import { randomUUID } from 'node:crypto';

import { JWTPayload, SignJWT } from 'jose';

import { FixedClock, loadConfig } from '@app/config';
import { hashToken } from '@app/crypto';
import { UsedIdentifierRepository } from '@app/persistence';

import { mockOf } from '../../../../test/mocks';
import { ClientMetadata, RegisteredClient } from '../client';
import { ClientAssertionVerifier } from './client-assertion.verifier';
import {
  ClientAuthEndpoint,
  ClientAuthInput,
  JWT_BEARER_ASSERTION_TYPE,
} from './client-auth-input';
import { ClientSecretJwtMethod } from './client-secret-jwt.method';

const ISSUER = 'https://sso.example.com/uas';
const CLIENT_ID = 'hmac-app';
const SECRET = 'a-client-secret-of-forty-three-characters-x';
const NOW = new Date('2030-01-01T00:00:00Z');
const NOW_S = NOW.getTime() / 1000;

function makeClient(
  metadata: Partial<ClientMetadata> = {},
  secret: string | null = SECRET,
): RegisteredClient {
  return {
    clientId: CLIENT_ID,
    issuedAt: NOW,
    secret,
    secretHash: secret === null ? null : hashToken(secret),
    tokenGeneration: 0,
    metadata: {
      redirect_uris: [],
      grant_types: ['client_credentials'],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_jwt',
      ...metadata,
    },
  };
}

function claims(overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: CLIENT_ID,
    sub: CLIENT_ID,
    aud: ISSUER,
    iat: NOW_S,
    exp: NOW_S + 300,
    jti: randomUUID(),
    ...overrides,
  };
}

function hs256(payload: JWTPayload, secret = SECRET): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}

function unsigned(payload: JWTPayload): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(payload)}.`;
}

function input(assertion: string, endpoint: ClientAuthEndpoint = 'token'): ClientAuthInput {
  return {
    authorization: undefined,
    params: { client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: assertion },
    endpoint,
  };
}

describe(ClientSecretJwtMethod.name, () => {
  let usedIdentifiers: jest.Mocked<UsedIdentifierRepository>;
  let sut: ClientSecretJwtMethod;

  beforeEach(() => {
    const spent = new Set<string>();
    usedIdentifiers = mockOf<UsedIdentifierRepository>();
    usedIdentifiers.claimClientJwtId.mockImplementation(async (clientId, value) => {
      const key = `${clientId} ${value}`;
      if (spent.has(key)) return false;
      spent.add(key);
      return true;
    });
    const config = loadConfig({ ISSUER });
    sut = new ClientSecretJwtMethod(
      new ClientAssertionVerifier(config, new FixedClock(NOW), usedIdentifiers),
    );
  });

  async function verify(
    assertion: string,
    client = makeClient(),
    endpoint: ClientAuthEndpoint = 'token',
  ): Promise<void> {
    const credential = sut.read(input(assertion, endpoint));
    if (!credential) throw new Error('the method did not recognise the assertion');
    await sut.verify(client, credential);
  }

  it('reads the client from the sub of an HS256 assertion', async () => {
    const assertion = await hs256(claims());

    expect(sut.read(input(assertion))).toEqual({ clientId: CLIENT_ID, proof: assertion });
  });

  it('accepts an assertion signed with the client secret', async () => {
    await expect(verify(await hs256(claims()))).resolves.toBeUndefined();
  });

  it('spends the jti, in the record request objects share, until a minute after the assertion expires', async () => {
    const payload = claims();

    await verify(await hs256(payload));

    // A minute of clock skew between instances: none of them accepts it after the record goes.
    expect(usedIdentifiers.claimClientJwtId).toHaveBeenCalledWith(
      CLIENT_ID,
      payload.jti,
      new Date((NOW_S + 300 + 60) * 1000),
      NOW,
    );
  });

  it('rejects a replayed jti', async () => {
    const assertion = await hs256(claims());
    await verify(assertion);

    await expect(verify(assertion)).rejects.toMatchObject({ code: 'invalid_client' });
  });

  it('accepts the token endpoint URL as audience', async () => {
    await expect(
      verify(await hs256(claims({ aud: `${ISSUER}/oauth2/token` }))),
    ).resolves.toBeUndefined();
  });

  it("accepts an audience array of the issuer and the token endpoint (the product's sample)", async () => {
    const aud = [ISSUER, `${ISSUER}/oauth2/token`];

    await expect(verify(await hs256(claims({ aud })))).resolves.toBeUndefined();
  });

  it('rejects an audience array that names someone else too', async () => {
    const aud = ['https://other.example.com', ISSUER];

    await expect(verify(await hs256(claims({ aud })))).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects the introspection endpoint URL as audience, even at introspection', async () => {
    const assertion = await hs256(claims({ aud: `${ISSUER}/oauth2/introspection` }));

    await expect(verify(assertion, makeClient(), 'introspection')).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('accepts the token endpoint URL as audience at revocation', async () => {
    const assertion = await hs256(claims({ aud: `${ISSUER}/oauth2/token` }));

    await expect(verify(assertion, makeClient(), 'revocation')).resolves.toBeUndefined();
  });

  it('accepts an untyped assertion, or one typed JWT in any spelling (RFC 7515 §4.1.9)', async () => {
    for (const typ of [undefined, 'jwt', 'application/JWT']) {
      const assertion = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'HS256', typ })
        .sign(new TextEncoder().encode(SECRET));

      await expect(verify(assertion)).resolves.toBeUndefined();
    }
  });

  it.each(['oauth-authz-req+jwt', 'at+jwt', 'logout+jwt', 'JWS', ''])(
    'rejects an assertion typed %j',
    async (typ) => {
      const assertion = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'HS256', typ })
        .sign(new TextEncoder().encode(SECRET));

      await expect(verify(assertion)).rejects.toMatchObject({ code: 'invalid_client' });
      expect(usedIdentifiers.claimClientJwtId).not.toHaveBeenCalled();
    },
  );

  it.each(['response_type', 'redirect_uri', 'scope'])(
    'rejects an assertion that carries %s (a request object)',
    async (name) => {
      await expect(verify(await hs256(claims({ [name]: 'x' })))).rejects.toMatchObject({
        code: 'invalid_client',
      });
      expect(usedIdentifiers.claimClientJwtId).not.toHaveBeenCalled();
    },
  );

  it('rejects an HS256 ID token of the client (iss is the server)', async () => {
    const idToken = await hs256({
      iss: ISSUER,
      sub: CLIENT_ID,
      aud: CLIENT_ID,
      iat: NOW_S,
      exp: NOW_S + 300,
      jti: randomUUID(),
    });

    await expect(verify(idToken)).rejects.toMatchObject({ code: 'invalid_client' });
  });

  it('rejects another audience', async () => {
    await expect(
      verify(await hs256(claims({ aud: 'https://other.example.com/uas' }))),
    ).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects an assertion without aud', async () => {
    await expect(verify(await hs256(claims({ aud: undefined })))).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects an iss other than the client', async () => {
    await expect(verify(await hs256(claims({ iss: 'someone-else' })))).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects a sub other than the client', async () => {
    const credential = { clientId: CLIENT_ID, proof: await hs256(claims({ sub: 'someone-else' })) };

    await expect(sut.verify(makeClient(), credential)).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects an expired assertion', async () => {
    await expect(
      verify(await hs256(claims({ iat: NOW_S - 600, exp: NOW_S - 1 }))),
    ).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects an assertion that expires right now', async () => {
    await expect(verify(await hs256(claims({ exp: NOW_S })))).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects an exp more than 60 minutes ahead', async () => {
    await expect(verify(await hs256(claims({ exp: NOW_S + 2 * 3600 })))).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('accepts an exp 60 minutes ahead', async () => {
    await expect(verify(await hs256(claims({ exp: NOW_S + 3600 })))).resolves.toBeUndefined();
  });

  it('rejects an assertion without exp', async () => {
    await expect(verify(await hs256(claims({ exp: undefined })))).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects an assertion without jti', async () => {
    await expect(verify(await hs256(claims({ jti: undefined })))).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects an iat in the future beyond the clock skew', async () => {
    await expect(verify(await hs256(claims({ iat: NOW_S + 120 })))).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('accepts an iat slightly ahead of our clock', async () => {
    await expect(verify(await hs256(claims({ iat: NOW_S + 30 })))).resolves.toBeUndefined();
  });

  it('rejects an nbf in the future beyond the clock skew', async () => {
    await expect(verify(await hs256(claims({ nbf: NOW_S + 120 })))).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects an assertion signed with another secret', async () => {
    await expect(verify(await hs256(claims(), `${SECRET}-other`))).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects a tampered payload', async () => {
    const [header, , signature] = (await hs256(claims())).split('.');
    const forged = Buffer.from(JSON.stringify(claims({ sub: CLIENT_ID, aud: ISSUER }))).toString(
      'base64url',
    );

    await expect(verify(`${header}.${forged}.${signature}`)).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects a client without a secret', async () => {
    await expect(verify(await hs256(claims()), makeClient({}, null))).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects HS256 for a client whose token_endpoint_auth_signing_alg is RS256', async () => {
    const client = makeClient({ token_endpoint_auth_signing_alg: 'RS256' });

    await expect(verify(await hs256(claims()), client)).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('does not read an unsigned (alg none) assertion', () => {
    expect(sut.read(input(unsigned(claims())))).toBeNull();
  });

  it('rejects an unsigned (alg none) assertion handed to it', async () => {
    const credential = { clientId: CLIENT_ID, proof: unsigned(claims()) };

    await expect(sut.verify(makeClient(), credential)).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('does not read an RS256 assertion', () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

    expect(sut.read(input(`${part({ alg: 'RS256' })}.${part(claims())}.c2ln`))).toBeNull();
  });

  it('does not read an assertion of another client_assertion_type', async () => {
    const params = {
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer',
      client_assertion: await hs256(claims()),
    };

    expect(sut.read({ authorization: undefined, params, endpoint: 'token' })).toBeNull();
  });

  it('rejects an HS256 assertion without sub', async () => {
    const assertion = await hs256(claims({ sub: undefined }));
    let error: unknown;
    try {
      sut.read(input(assertion));
    } catch (e) {
      error = e;
    }

    expect(error).toMatchObject({ code: 'invalid_client' });
  });
});
