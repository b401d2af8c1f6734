import { jwtVerify } from 'jose';
import request from 'supertest';

import { discoveryDocument } from '../factories/admin.factory';
import { CreatedClient } from '../factories/client.factory';
import { createTestDatabase, TestDatabase } from '../setup/test-database';
import {
  admin,
  adminCreateClient,
  adminCreateUser,
  basic,
  postForm,
  serverKeySet,
} from '../setup/oauth';
import { startTestServer, TestServer } from '../setup/test-server';
import { Browser } from './authorization/browser';

const REDIRECT = 'https://rp.example.com/cb';
const PASSWORD = 'correct horse battery staple';
const ADDRESS = {
  formatted: 'Keilaranta 1\n02150 Espoo\nFinland',
  street_address: 'Keilaranta 1',
  locality: 'Espoo',
  postal_code: '02150',
  country: 'FI',
};
/** Every Core §5.1 claim the admin API takes, as alice has them. */
const ALICE = {
  email: 'alice@example.com',
  email_verified: true,
  phone_number: '+358401234567',
  phone_number_verified: false,
  name: 'Alice Example',
  given_name: 'Alice',
  family_name: 'Example',
  middle_name: 'Marie',
  nickname: 'Al',
  preferred_username: 'alice.e',
  profile: 'https://people.example.com/alice',
  picture: 'https://people.example.com/alice.jpg',
  website: 'https://alice.example.com',
  gender: 'female',
  birthdate: '1990-12-31',
  zoneinfo: 'Europe/Helsinki',
  locale: 'fi-FI',
  address: ADDRESS,
};
const PROFILE_CLAIMS = [
  'name',
  'family_name',
  'given_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'updated_at',
];
const CODE_AND_PASSWORD = ['authorization_code', 'password', 'refresh_token'];

describe('scopes and claims (OpenID Connect Core §5.1, §5.4, §5.5)', () => {
  let db: TestDatabase;
  let server: TestServer;
  let keys: Awaited<ReturnType<typeof serverKeySet>>;
  let alice: { id: string };
  /** Registered `openid profile email`, as the relying parties of the issue do. */
  let rp: CreatedClient;
  /** Registered no scope: may have every scope. */
  let open: CreatedClient;
  /** Registered the seed's `openid userinfo`: may have every claim scope too. */
  let legacy: CreatedClient;
  /** Turned the ID token's scope claims off. */
  let quiet: CreatedClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    keys = await serverKeySet(server);
    const client = (metadata: Record<string, unknown>) =>
      adminCreateClient(server, {
        redirect_uris: [REDIRECT],
        grant_types: CODE_AND_PASSWORD,
        ...metadata,
      });
    rp = await client({ scope: 'openid profile email' });
    open = await client({});
    legacy = await client({ scope: 'openid userinfo' });
    quiet = await client({ id_token_claims: false });
    alice = await adminCreateUser(server, { username: 'alice', password: PASSWORD, ...ALICE });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  const token = (client: CreatedClient, params: Record<string, string>) =>
    postForm(server, '/oauth2/token', params, basic(client.client_id, client.client_secret!));

  const passwordGrant = (client: CreatedClient, scope: string) =>
    token(client, { grant_type: 'password', username: 'alice', password: PASSWORD, scope });

  /** The authorization code flow through the login page, in a fresh browser. */
  async function codeFlow(client: CreatedClient, params: Record<string, string>) {
    const redirect = await new Browser(server).signIn(
      {
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: REDIRECT,
        state: 'st',
        ...params,
      },
      'alice',
      PASSWORD,
    );
    return token(client, {
      grant_type: 'authorization_code',
      code: redirect.code,
      redirect_uri: REDIRECT,
    });
  }

  async function idTokenClaims(
    res: request.Response,
    client: CreatedClient,
  ): Promise<Record<string, unknown>> {
    expect(res.status).toBe(200);
    const { payload } = await jwtVerify(res.body.id_token as string, keys, {
      audience: client.client_id,
    });
    return payload;
  }

  async function userinfo(accessToken: string): Promise<Record<string, unknown>> {
    const res = await request(server.http)
      .get('/uas/oauth2/userinfo')
      .set('Authorization', `Bearer ${accessToken}`);
    expect(res.status).toBe(200);
    return res.body as Record<string, unknown>;
  }

  const pick = (names: string[]) =>
    Object.fromEntries(names.map((n) => [n, (ALICE as Record<string, unknown>)[n]]));
  const NAME_AND_EMAIL = pick(['name', 'given_name', 'family_name', 'email', 'email_verified']);

  describe('admin API', () => {
    it('registers a client with scope "openid profile email" and with id_token_claims', () => {
      expect(rp.scope).toBe('openid profile email');
      expect(quiet.id_token_claims).toBe(false);
    });

    it('refuses an id_token_claims that is no boolean', async () => {
      const res = await admin(server).post('/admin/v1/clients', {
        redirect_uris: [REDIRECT],
        id_token_claims: 'no',
      });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain('id_token_claims');
    });

    it('keeps every standard claim of a user, address as an object, and changes them with PATCH', async () => {
      const shown = await admin(server).get(`/admin/v1/users/${alice.id}`);
      expect(shown.status).toBe(200);
      expect(shown.body).toMatchObject(ALICE);

      const user = await adminCreateUser(server, { locale: 'en-US' });
      const patched = await admin(server).patch(`/admin/v1/users/${user.id}`, {
        address: { locality: 'Oulu' },
        locale: null,
        zoneinfo: 'UTC',
      });
      expect(patched.status).toBe(200);
      expect(patched.body.address).toEqual({ locality: 'Oulu' });
      expect(patched.body.zoneinfo).toBe('UTC');
      expect(patched.body).not.toHaveProperty('locale');
    });

    it.each([
      ['a malformed birthdate', { birthdate: '31.12.1990' }, 'birthdate'],
      ['a picture that is no URL', { picture: 'me.jpg' }, 'picture'],
      ['an unknown address member', { address: { planet: 'Mars' } }, 'address.planet'],
      ['an address that is no object', { address: 'Espoo' }, 'address'],
    ])('refuses %s with 400 naming the field', async (_, body, field) => {
      const res = await admin(server).post('/admin/v1/users', {
        username: `u-${field}`,
        password: PASSWORD,
        ...body,
      });
      expect(res.status).toBe(400);
      expect(res.body.fields ?? res.body).toEqual(
        expect.arrayContaining([expect.objectContaining({ field })]),
      );
    });
  });

  describe('scope openid profile email', () => {
    it('via the authorization code flow: name and e-mail in the ID token and at UserInfo', async () => {
      const res = await codeFlow(rp, { scope: 'openid profile email' });

      const idToken = await idTokenClaims(res, rp);
      expect(res.body.scope).toBe('openid profile email');
      expect(idToken).toMatchObject(NAME_AND_EMAIL);
      expect(idToken).not.toHaveProperty('phone_number');
      expect(idToken).not.toHaveProperty('address');
      const info = await userinfo(res.body.access_token);
      expect(info).toMatchObject({ sub: alice.id, ...NAME_AND_EMAIL });
      expect(info.updated_at).toEqual(expect.any(Number));
      expect(info).not.toHaveProperty('phone_number');
    });

    it('via the password grant: the same claims', async () => {
      const res = await passwordGrant(rp, 'openid profile email');

      expect(res.body.scope).toBe('openid profile email');
      expect(await idTokenClaims(res, rp)).toMatchObject(NAME_AND_EMAIL);
      expect(await userinfo(res.body.access_token)).toMatchObject(NAME_AND_EMAIL);
    });

    it('email alone releases only the e-mail claims', async () => {
      const res = await passwordGrant(open, 'openid email');

      const idToken = await idTokenClaims(res, open);
      expect(idToken).toMatchObject(pick(['email', 'email_verified']));
      expect(idToken).not.toHaveProperty('name');
      const info = await userinfo(res.body.access_token);
      expect(Object.keys(info).sort()).toEqual(['email', 'email_verified', 'sub']);
    });
  });

  describe('scope openid alone', () => {
    it("releases every claim scope's claims of a client that registered no scope, each claims_supported value among them", async () => {
      const res = await codeFlow(open, { scope: 'openid', nonce: 'n-1' });

      const idToken = await idTokenClaims(res, open);
      expect(idToken).toMatchObject({ ...ALICE, groups: [], nonce: 'n-1' });
      const info = await userinfo(res.body.access_token);
      expect(info).toMatchObject({ ...ALICE, groups: [], sub: alice.id });
      const doc = await discoveryDocument(server);
      for (const claim of doc.claims_supported) expect(idToken).toHaveProperty(claim);
      for (const claim of PROFILE_CLAIMS) expect(info).toHaveProperty(claim);
    });

    it('releases only the claim scopes the client registered', async () => {
      const res = await passwordGrant(rp, 'openid');

      const idToken = await idTokenClaims(res, rp);
      expect(idToken).toMatchObject(NAME_AND_EMAIL);
      expect(idToken).not.toHaveProperty('phone_number');
      expect(idToken).not.toHaveProperty('address');
      expect(idToken).not.toHaveProperty('groups');
    });
  });

  describe('what is granted', () => {
    it('ignores a scope value the server does not know (Core §3.1.2.1)', async () => {
      const res = await passwordGrant(rp, 'openid email write:everything');

      expect(res.status).toBe(200);
      expect(res.body.scope).toBe('openid email');
    });

    it('leaves out a scope the client may not have, and the response says what was granted (RFC 6749 §3.3)', async () => {
      const res = await passwordGrant(rp, 'openid email phone address');

      expect(res.body.scope).toBe('openid email');
      const info = await userinfo(res.body.access_token);
      expect(info).not.toHaveProperty('phone_number');
      expect(info).not.toHaveProperty('address');
    });

    it('leaves the same scope out of the authorization code flow', async () => {
      const res = await codeFlow(rp, { scope: 'openid phone bogus' });

      expect(res.body.scope).toBe('openid');
      expect(await idTokenClaims(res, rp)).not.toHaveProperty('phone_number');
    });

    it('gives a client registered with userinfo every claim scope: phone and address', async () => {
      const res = await passwordGrant(legacy, 'openid phone address');

      expect(res.body.scope).toBe('openid phone address');
      const idToken = await idTokenClaims(res, legacy);
      expect(idToken).toMatchObject(pick(['phone_number', 'phone_number_verified', 'address']));
      expect(idToken).not.toHaveProperty('email');
    });

    it('releases groups as an array of group names', async () => {
      const res = await passwordGrant(open, 'openid groups');

      expect(res.body.scope).toBe('openid groups');
      expect((await idTokenClaims(res, open)).groups).toEqual([]);
      expect(await userinfo(res.body.access_token)).toEqual({ sub: alice.id, groups: [] });
    });

    it('grants offline_access without a consent page', async () => {
      const code = await codeFlow(open, { scope: 'openid offline_access' });
      expect(code.body.scope).toBe('openid offline_access');
      expect(code.body.refresh_token).toEqual(expect.any(String));

      const pw = await passwordGrant(open, 'openid offline_access');
      expect(pw.body.scope).toBe('openid offline_access');
      expect(pw.body.refresh_token).toEqual(expect.any(String));
    });
  });

  describe('the claims request parameter (Core §5.5)', () => {
    it('puts one asked-for claim in the ID token of a client that turned scope claims off', async () => {
      const res = await codeFlow(quiet, {
        scope: 'openid',
        claims: JSON.stringify({ id_token: { email: null } }),
      });

      const idToken = await idTokenClaims(res, quiet);
      expect(idToken.email).toBe(ALICE.email);
      expect(idToken).not.toHaveProperty('name');
      expect(idToken).not.toHaveProperty('email_verified');
    });

    it('adds a claim at UserInfo beyond the scope, but none the client may not have', async () => {
      const res = await codeFlow(rp, {
        scope: 'openid email',
        claims: JSON.stringify({
          userinfo: { name: { essential: true }, phone_number: null },
        }),
      });

      expect(await idTokenClaims(res, rp)).not.toHaveProperty('name');
      const info = await userinfo(res.body.access_token);
      expect(info).toMatchObject({ name: ALICE.name, email: ALICE.email });
      expect(info).not.toHaveProperty('phone_number');
    });

    it('keeps asking after a refresh', async () => {
      const first = await codeFlow(quiet, {
        scope: 'openid',
        claims: JSON.stringify({ id_token: { locale: null } }),
      });

      const refreshed = await token(quiet, {
        grant_type: 'refresh_token',
        refresh_token: first.body.refresh_token,
      });
      const idToken = await idTokenClaims(refreshed, quiet);
      expect(idToken.locale).toBe(ALICE.locale);
      expect(idToken).not.toHaveProperty('email');
    });
  });

  describe('refresh', () => {
    const refresh = (client: CreatedClient, refreshToken: string, scope: string) =>
      token(client, { grant_type: 'refresh_token', refresh_token: refreshToken, scope });

    it('may not widen the grant (invalid_scope) but may narrow it', async () => {
      const first = await passwordGrant(open, 'openid profile email');

      const widened = await refresh(open, first.body.refresh_token, 'openid profile email phone');
      expect(widened.status).toBe(400);
      expect(widened.body).toEqual({
        error: 'invalid_scope',
        error_description: expect.any(String),
      });

      const narrowed = await refresh(open, first.body.refresh_token, 'openid email');
      expect(narrowed.body.scope).toBe('openid email');
      const idToken = await idTokenClaims(narrowed, open);
      expect(idToken.email).toBe(ALICE.email);
      expect(idToken).not.toHaveProperty('name');
      expect(await userinfo(narrowed.body.access_token)).not.toHaveProperty('name');
    });

    it('never releases more than the grant with a scope that names no claim scope', async () => {
      const first = await passwordGrant(open, 'openid email');

      const refreshed = await refresh(open, first.body.refresh_token, 'openid');
      expect(refreshed.body.scope).toBe('openid');
      const idToken = await idTokenClaims(refreshed, open);
      expect(idToken.email).toBe(ALICE.email);
      expect(idToken).not.toHaveProperty('name');
      expect(idToken).not.toHaveProperty('phone_number');
    });
  });

  describe('id_token_claims: false', () => {
    it('leaves the claims out of the ID token and gives them at UserInfo', async () => {
      const res = await passwordGrant(quiet, 'openid profile email');

      const idToken = await idTokenClaims(res, quiet);
      expect(idToken.sub).toBe(alice.id);
      expect(idToken).not.toHaveProperty('email');
      expect(idToken).not.toHaveProperty('name');
      expect(await userinfo(res.body.access_token)).toMatchObject(NAME_AND_EMAIL);
    });
  });

  describe('discovery', () => {
    it('lists the standard scopes, every releasable claim, and the claims parameter', async () => {
      const doc = (await discoveryDocument(server)) as Record<string, unknown>;

      expect(doc.scopes_supported).toEqual([
        'openid',
        'userinfo',
        'profile',
        'email',
        'phone',
        'address',
        'offline_access',
        'groups',
      ]);
      expect(doc.claims_supported).toEqual(
        expect.arrayContaining([
          'sub',
          ...Object.keys(ALICE),
          'updated_at',
          'groups',
          'auth_time',
          'nonce',
          'amr',
        ]),
      );
      expect(doc.claims_parameter_supported).toBe(true);
    });
  });
});
