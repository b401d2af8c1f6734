import { generateKeyPairSync } from 'node:crypto';

import { jwtVerify } from 'jose';
import request from 'supertest';

import seed from '../fixtures/seed-metadata.json';
import { independentDecrypt } from '../setup/independent-jwe';
import { adminCreateClient, adminCreateUser, basic, postForm, serverKeySet } from '../setup/oauth';
import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { startTestServer, TestServer } from '../setup/test-server';

const ALGS = seed.id_token_encryption_alg_values_supported;
const ENCS = seed.id_token_encryption_enc_values_supported;
const CASES = ALGS.flatMap((alg) => ENCS.map((enc) => [alg, enc] as const));

/** ID tokens and userinfo signed (RS256 or HS256) then encrypted with every advertised alg and enc. */
describe('encrypted ID tokens and userinfo', () => {
  let db: TestDatabase;
  let server: TestServer;
  let userId: string;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateJwk = rsa.privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const publicJwk = {
    ...(rsa.publicKey.export({ format: 'jwk' }) as Record<string, unknown>),
    kid: 'rp-enc',
    use: 'enc',
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    userId = (
      await adminCreateUser(server, {
        username: 'frank',
        password: 'franks long password',
        email: 'frank@example.com',
      })
    ).id;
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  async function serverKeys() {
    return serverKeySet(server);
  }

  async function registered(metadata: Record<string, unknown>) {
    const client = await adminCreateClient(server, {
      grant_types: ['password'],
      jwks: { keys: [publicJwk] },
      ...metadata,
    });
    const tokens = await postForm(
      server,
      '/oauth2/token',
      {
        grant_type: 'password',
        username: 'frank',
        password: 'franks long password',
        scope: 'openid',
      },
      basic(client.client_id, client.client_secret!),
    );
    expect(tokens.status).toBe(200);
    return { client, tokens: tokens.body as { id_token: string; access_token: string } };
  }

  it.each(CASES)(
    'encrypts the ID token with %s and %s, around an RS256 signature',
    async (alg, enc) => {
      const { client, tokens } = await registered({
        id_token_encrypted_response_alg: alg,
        id_token_encrypted_response_enc: enc,
      });

      const { header, plaintext } = independentDecrypt(tokens.id_token, {
        privateJwk,
        clientSecret: client.client_secret,
      });

      expect(header).toEqual({
        alg,
        enc,
        cty: 'JWT',
        ...(alg.startsWith('RSA') ? { kid: 'rp-enc' } : {}),
      });
      const { payload, protectedHeader } = await jwtVerify(plaintext, await serverKeys(), {
        issuer: server.issuer,
        audience: client.client_id,
        currentDate: server.clock.now(),
      });
      expect(protectedHeader.alg).toBe('RS256');
      expect(payload.sub).toBe(userId);
    },
  );

  it('defaults enc to A128CBC-HS256 and nests an HS256 signature when the client asks for it', async () => {
    const { client, tokens } = await registered({
      id_token_signed_response_alg: 'HS256',
      id_token_encrypted_response_alg: 'A256KW',
    });

    const { header, plaintext } = independentDecrypt(tokens.id_token, {
      clientSecret: client.client_secret,
    });

    expect(header.enc).toBe('A128CBC-HS256');
    const { payload } = await jwtVerify(plaintext, new TextEncoder().encode(client.client_secret), {
      algorithms: ['HS256'],
      audience: client.client_id,
      currentDate: server.clock.now(),
    });
    expect(payload.sub).toBe(userId);
  });

  it.each(CASES)('encrypts userinfo with %s and %s, signed then encrypted', async (alg, enc) => {
    const { client, tokens } = await registered({
      userinfo_encrypted_response_alg: alg,
      userinfo_encrypted_response_enc: enc,
    });

    const res = await request(server.http)
      .get('/uas/oauth2/userinfo')
      .set('Authorization', `Bearer ${tokens.access_token}`);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/jwt/);
    const { header, plaintext } = independentDecrypt(res.text, {
      privateJwk,
      clientSecret: client.client_secret,
    });
    expect(header).toEqual(expect.objectContaining({ alg, enc, cty: 'JWT' }));
    const { payload } = await jwtVerify(plaintext, await serverKeys(), {
      issuer: server.issuer,
      audience: client.client_id,
    });
    expect(payload).toEqual({
      sub: userId,
      email: 'frank@example.com',
      iss: server.issuer,
      aud: client.client_id,
      // CONTRACT "Scopes and claims": openid alone releases every claim scope's claims.
      groups: [],
      updated_at: expect.any(Number),
    });
  });
});
