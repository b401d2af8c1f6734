import { generateKeyPairSync, randomUUID } from 'node:crypto';

import { JWTPayload, SignJWT } from 'jose';
import { DataSource } from 'typeorm';

import { Database } from '@app/persistence';

import { TestDatabase } from '../setup/test-database';
import { adminCreateClient, adminCreateUser, postForm } from '../setup/oauth';
import { TestServer } from '../setup/test-server';
import { startDeployment, stopDeployment } from '../setup/deployment';
import { authorizationPath, Browser, redirectParams } from './authorization/browser';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const REDIRECT = 'https://app.example.com/cb';
const PASSWORD = 'correct horse battery';

/**
 * A JWT a client signs for one purpose is never accepted for the other (security issue 11,
 * item 5; RFC 8725 §3.11-3.12, RFC 9101 §10.8, CONTRACT "Recorded details"): request objects
 * at the authorization endpoint of one instance, client assertions at the token endpoint of
 * another, both on one database.
 */
describe('JWTs of one kind refused as another', () => {
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let browser: Browser;
  let client: { client_id: string };
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...key.publicKey.export({ format: 'jwk' }), kid: 'rp-1', use: 'sig', alg: 'RS256' };

  beforeAll(async () => {
    ({ db, a, b } = await startDeployment());
    client = await adminCreateClient(a, {
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [jwk] },
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'client_credentials'],
    });
    await adminCreateUser(a, { username: 'alice', password: PASSWORD });
    browser = new Browser(a);
    await browser.signIn(
      { response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT },
      'alice',
      PASSWORD,
    );
  });

  afterAll(() => stopDeployment({ db, a, b }));

  const issuer = () => a.issuer;
  const tokenEndpoint = () => `${a.issuer}/oauth2/token`;
  const now = () => a.clock.nowSeconds();

  function sign(claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'rp-1', ...header })
      .sign(key.privateKey);
  }

  /** RFC 7523 §3: the claims of a good client assertion. */
  function assertionClaims(extra: JWTPayload = {}): JWTPayload {
    const id = client.client_id;
    return {
      iss: id,
      sub: id,
      aud: issuer(),
      iat: now(),
      exp: now() + 300,
      jti: randomUUID(),
      ...extra,
    };
  }

  /** RFC 9101 §4: the claims of a good request object. */
  function requestObjectClaims(extra: JWTPayload = {}): JWTPayload {
    const id = client.client_id;
    return {
      iss: id,
      aud: issuer(),
      client_id: id,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 'inner-state',
      exp: now() + 300,
      jti: randomUUID(),
      ...extra,
    };
  }

  /** A client_credentials request at instance b authenticated by `assertion`. */
  const tokenWith = (assertion: string) =>
    postForm(b, '/oauth2/token', {
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
    });

  /** An authorization request at instance a carrying `requestObject`; the redirect's parameters. */
  async function authorizeWith(requestObject: string): Promise<Record<string, string>> {
    const res = await browser.get(
      authorizationPath({
        client_id: client.client_id,
        response_type: 'code',
        state: 'outer-state',
        request: requestObject,
      }),
    );
    expect(res.status).toBe(302);
    return redirectParams(res.headers.location);
  }

  const unauthenticated = { error: 'invalid_client', error_description: expect.any(String) };
  const accepted = { code: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), state: 'inner-state' };
  const refused = {
    error: 'invalid_request_object',
    error_description: expect.any(String),
    state: 'outer-state',
  };

  describe('as a client assertion', () => {
    it('refuses a request object of a private_key_jwt client (the attack of the issue)', async () => {
      const requestObject = await sign(
        requestObjectClaims({ sub: client.client_id, aud: [issuer(), tokenEndpoint()] }),
        { typ: 'oauth-authz-req+jwt' },
      );

      const res = await tokenWith(requestObject);

      expect(res.status).toBe(401);
      expect(res.body).toEqual(unauthenticated);
    });

    it.each(['response_type', 'redirect_uri', 'scope'])(
      'refuses an untyped JWT that carries %s',
      async (name) => {
        const res = await tokenWith(
          await sign(assertionClaims({ [name]: requestObjectClaims()[name] })),
        );

        expect(res.status).toBe(401);
        expect(res.body).toEqual(unauthenticated);
      },
    );

    it.each([
      'oauth-authz-req+jwt',
      'application/OAUTH-AUTHZ-REQ+JWT',
      'at+jwt',
      'logout+jwt',
      'secevent+jwt',
    ])('refuses a JWT typed %s', async (typ) => {
      const res = await tokenWith(await sign(assertionClaims(), { typ }));

      expect(res.status).toBe(401);
      expect(res.body).toEqual(unauthenticated);
    });

    it('refuses an access token this server issued to the client', async () => {
      const issued = await tokenWith(await sign(assertionClaims()));
      expect(issued.status).toBe(200);

      const res = await tokenWith(issued.body.access_token);

      expect(res.status).toBe(401);
      expect(res.body).toEqual(unauthenticated);
    });

    it('refuses an aud that names someone else as well as us', async () => {
      const res = await tokenWith(
        await sign(assertionClaims({ aud: [issuer(), 'https://other.example.com/uas'] })),
      );

      expect(res.status).toBe(401);
      expect(res.body).toEqual(unauthenticated);
    });

    it('refuses the introspection endpoint as aud, even at introspection', async () => {
      const assertion = await sign(assertionClaims({ aud: `${a.issuer}/oauth2/introspection` }));

      const res = await postForm(b, '/oauth2/introspection', {
        token: 'whatever',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: assertion,
      });

      expect(res.status).toBe(401);
      expect(res.body).toEqual(unauthenticated);
    });

    it.each([
      ['untyped, aud the issuer', {}, () => issuer()],
      ['typed JWT, aud the token endpoint', { typ: 'JWT' }, () => tokenEndpoint()],
      [
        "typed application/jwt, aud [issuer, token endpoint] (the product's sample)",
        { typ: 'application/jwt' },
        () => [issuer(), tokenEndpoint()],
      ],
    ])('accepts an assertion %s', async (_case, header, aud) => {
      const res = await tokenWith(await sign(assertionClaims({ aud: aud() }), header));

      expect(res.status).toBe(200);
      expect(res.body.token_type).toBe('Bearer');
    });
  });

  describe('as a request object', () => {
    it.each(['JWT', 'at+jwt', 'logout+jwt'])('refuses a JWT typed %s', async (typ) => {
      expect(await authorizeWith(await sign(requestObjectClaims(), { typ }))).toEqual(refused);
    });

    it('refuses a client assertion (sub is the client, aud the issuer, no type)', async () => {
      expect(await authorizeWith(await sign(assertionClaims()))).toEqual(refused);
    });

    it.each([
      ['the token endpoint', () => tokenEndpoint()],
      ['the issuer and the token endpoint', () => [issuer(), tokenEndpoint()]],
      [
        'the issuer and the authorization endpoint',
        () => [issuer(), `${a.issuer}/oauth2/authorization`],
      ],
    ])('refuses aud %s', async (_case, aud) => {
      expect(
        await authorizeWith(
          await sign(requestObjectClaims({ aud: aud() }), { typ: 'oauth-authz-req+jwt' }),
        ),
      ).toEqual(refused);
    });

    it.each([
      ['untyped', {}, () => issuer()],
      ['typed oauth-authz-req+jwt', { typ: 'oauth-authz-req+jwt' }, () => issuer()],
      [
        'typed application/oauth-authz-req+jwt, aud [issuer]',
        { typ: 'application/oauth-authz-req+jwt' },
        () => [issuer()],
      ],
    ])('accepts an object %s', async (_case, header, aud) => {
      expect(await authorizeWith(await sign(requestObjectClaims({ aud: aud() }), header))).toEqual(
        accepted,
      );
    });
  });

  describe('one record of spent jti for both kinds', () => {
    it('refuses a client assertion whose jti an accepted request object spent', async () => {
      const jti = randomUUID();
      expect(await authorizeWith(await sign(requestObjectClaims({ jti })))).toEqual(accepted);

      const res = await tokenWith(await sign(assertionClaims({ jti })));

      expect(res.status).toBe(401);
      expect(res.body).toEqual(unauthenticated);
      expect((await tokenWith(await sign(assertionClaims()))).status).toBe(200);
    });

    it('refuses a request object whose jti an accepted client assertion spent', async () => {
      const jti = randomUUID();
      expect((await tokenWith(await sign(assertionClaims({ jti })))).status).toBe(200);

      expect(await authorizeWith(await sign(requestObjectClaims({ jti })))).toEqual(refused);
      expect(await authorizeWith(await sign(requestObjectClaims()))).toEqual(accepted);
    });

    it.each(['client_assertion', 'request_object'])(
      'keeps a jti spent before the upgrade under %s spent',
      async (kind) => {
        const database = b.app.get(Database);
        const jti = randomUUID();
        const expiresAt = new Date((now() + 3600) * 1000);
        await database.query(
          'INSERT INTO used_identifiers (namespace, value, expires_at) VALUES ($1, $2, $3)',
          [`${kind}:${client.client_id}`, jti, expiresAt],
        );
        const dataSource = b.app.get(DataSource);
        const migration = dataSource.migrations.find(
          (m) => m.name === 'MergeClientJwtIdentifiers1764212000000',
        );
        expect(migration).toBeDefined();
        const runner = dataSource.createQueryRunner();
        try {
          await migration!.up(runner);
        } finally {
          await runner.release();
        }

        const res = await tokenWith(await sign(assertionClaims({ jti })));

        expect(res.status).toBe(401);
        expect(res.body).toEqual(unauthenticated);
        const left = await database.query('SELECT 1 FROM used_identifiers WHERE namespace = $1', [
          `${kind}:${client.client_id}`,
        ]);
        expect(left).toEqual([]);
      },
    );
  });
});
