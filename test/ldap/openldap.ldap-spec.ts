import { Client as LdapClient } from 'ldapts';
import { Client as PgClient } from 'pg';
import request from 'supertest';

import { Browser, pkcePair } from '../e2e/authorization/browser';
import { postFormFrom, RawResponse } from '../setup/from-address';
import { admin, adminCreateClient, basic, decodeJwt, postForm } from '../setup/oauth';
import { ROOT_PASSWORD, SERVICE_DN_RDN, SERVICE_PASSWORD, Slapd } from '../setup/slapd';
import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { startTestServer, TestServer } from '../setup/test-server';

const SUFFIX = 'dc=example,dc=test';
const REDIRECT = 'https://app.example.com/cb';
const MAX_FAILURES = 3;

const LDIF = `
dn: ${SUFFIX}
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ${SERVICE_DN_RDN},${SUFFIX}
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: uas-service
userPassword: ${SERVICE_PASSWORD}

dn: ou=people,${SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=staff,${SUFFIX}
objectClass: organizationalUnit
ou: staff

dn: ou=groups,${SUFFIX}
objectClass: organizationalUnit
ou: groups

dn: uid=alice,ou=people,${SUFFIX}
objectClass: inetOrgPerson
uid: alice
cn: Alice Liddell
givenName: Alice
sn: Liddell
mail: alice@example.test
telephoneNumber: +358401234567
userPassword: alice-password

dn: uid=bob,ou=people,${SUFFIX}
objectClass: inetOrgPerson
uid: bob
cn: Bob Builder
sn: Builder
userPassword: bob-password

dn: uid=carol,ou=people,${SUFFIX}
objectClass: inetOrgPerson
uid: carol
cn: Carol
sn: Carol
userPassword: carol-password

dn: cn=engineering,ou=groups,${SUFFIX}
objectClass: groupOfNames
cn: engineering
member: uid=alice,ou=people,${SUFFIX}
member: uid=bob,ou=people,${SUFFIX}

dn: cn=admins,ou=groups,${SUFFIX}
objectClass: groupOfNames
cn: admins
member: uid=bob,ou=people,${SUFFIX}
`;

/**
 * LDAP federation against a real OpenLDAP (CONTRACT §4 directories): sign-in by bind at the
 * login page and the password grant, counted failures, a stable sub across renames and moves,
 * claims and groups from the directory, RFC 4515 escaping, and 503 while the directory is down.
 */
describe('OpenLDAP directory', () => {
  let slapd: Slapd;
  let db: TestDatabase;
  let server: TestServer;
  let client: { client_id: string; client_secret?: string };
  let auth: string;
  let directoryId: string;

  const directory = () => ({
    name: 'openldap',
    url: slapd.url,
    bind_dn: `${SERVICE_DN_RDN},${SUFFIX}`,
    bind_password: SERVICE_PASSWORD,
    user_base_dn: SUFFIX,
    user_filter: '(&(objectClass=inetOrgPerson)(uid={username}))',
    attributes: {
      id: 'entryUUID',
      username: 'uid',
      email: 'mail',
      name: 'cn',
      given_name: 'givenName',
      family_name: 'sn',
      phone_number: 'telephoneNumber',
    },
    group_base_dn: `ou=groups,${SUFFIX}`,
    group_filter: '(&(objectClass=groupOfNames)(member={dn}))',
    group_name_attribute: 'cn',
    timeout_ms: 2000,
  });

  beforeAll(async () => {
    slapd = await Slapd.start({ suffix: SUFFIX, ldif: LDIF });
    db = await createTestDatabase();
    server = await startTestServer({
      databaseUrl: db.url,
      env: { LOGIN_MAX_FAILURES: String(MAX_FAILURES), LOGIN_WINDOW_SECONDS: '600' },
    });
    client = await adminCreateClient(server, {
      client_name: 'ldap',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'password'],
    });
    auth = basic(client.client_id, client.client_secret!);
    const created = await admin(server).post('/admin/v1/directories', directory());
    expect(created.status).toBe(201);
    directoryId = created.body.id;
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
    await slapd?.stop();
  });

  const passwordGrant = (username: string, password: string, from = '127.0.0.1') =>
    postFormFrom(
      from,
      server.origin,
      '/uas/oauth2/token',
      { grant_type: 'password', username, password, scope: 'openid profile email phone' },
      { Authorization: auth },
    );
  /** An authorization request (PKCE) of the client, as the login page receives it. */
  const loginParams = (challenge = pkcePair().challenge) => ({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope: 'openid',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const json = (res: RawResponse) => JSON.parse(res.text) as Record<string, unknown>;
  const subOf = (res: RawResponse) => decodeJwt(json(res).id_token as string).payload.sub;

  describe('admin API', () => {
    it('shows the directory without its bind password, and stores that encrypted', async () => {
      const res = await admin(server).get(`/admin/v1/directories/${directoryId}`);

      const { bind_password: _password, ...shown } = directory();
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        ...shown,
        id: directoryId,
        start_tls: false,
        member_of_attribute: null,
        ca_certificate: null,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      expect(JSON.stringify((await admin(server).get('/admin/v1/directories')).body)).not.toContain(
        SERVICE_PASSWORD,
      );
      const pg = new PgClient({ connectionString: db.url });
      await pg.connect();
      const { rows } = await pg.query('SELECT bind_password_encrypted FROM directories');
      await pg.end();
      expect(rows[0].bind_password_encrypted).not.toContain(SERVICE_PASSWORD);
    });

    it('refuses settings that cannot work, naming the fields', async () => {
      const res = await admin(server).post('/admin/v1/directories', {
        ...directory(),
        name: 'broken',
        url: 'http://ldap.example.test',
        user_filter: '(uid=alice)',
        member_of_attribute: 'memberOf',
        attributes: { id: 'entryUUID', username: 'uid', shoe_size: 'x' },
      });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'invalid_request',
        error_description: expect.any(String),
        fields: expect.arrayContaining([
          expect.objectContaining({ field: expect.stringMatching(/attributes/) }),
        ]),
      });
      const semantic = await admin(server).post('/admin/v1/directories', {
        ...directory(),
        name: 'broken',
        url: 'http://ldap.example.test',
        user_filter: '(uid=alice)',
        member_of_attribute: 'memberOf',
      });
      expect(semantic.status).toBe(400);
      expect(semantic.body.fields.map((f: { field: string }) => f.field).sort()).toEqual([
        'member_of_attribute',
        'url',
        'user_filter',
      ]);
    });

    it('keeps the bind password when a PUT leaves it out, and refuses a duplicate name', async () => {
      const { bind_password: _password, ...rest } = directory();
      const res = await admin(server).put(`/admin/v1/directories/${directoryId}`, rest);
      const duplicate = await admin(server).post('/admin/v1/directories', directory());

      expect(res.status).toBe(200);
      expect(duplicate.status).toBe(409);
      expect((await passwordGrant('carol', 'carol-password')).status).toBe(200);
    });
  });

  it('wants the bind password again when a PUT changes where it would go, and changes nothing', async () => {
    const { bind_password: _password, ...rest } = directory();
    const elsewhere = [
      { url: 'ldap://ldap.attacker.test:389' },
      { bind_dn: 'cn=someone-else,dc=example,dc=test' },
      { start_tls: true },
    ];
    for (const change of elsewhere) {
      const res = await admin(server).put(`/admin/v1/directories/${directoryId}`, {
        ...rest,
        ...change,
      });

      expect(res.status).toBe(400);
      expect(res.body.fields).toEqual([
        { field: 'bind_password', problems: [expect.stringContaining(Object.keys(change)[0])] },
      ]);
    }
    expect((await admin(server).get(`/admin/v1/directories/${directoryId}`)).body.url).toBe(
      rest.url,
    );
    expect((await passwordGrant('carol', 'carol-password')).status).toBe(200);
  });

  it('signs a directory user in with the password grant, with claims and groups from the directory', async () => {
    const res = await passwordGrant('alice', 'alice-password');

    expect(res.status).toBe(200);
    const { access_token: accessToken } = json(res) as { access_token: string };
    const userinfo = await request(server.http)
      .get('/uas/oauth2/userinfo')
      .set('Authorization', `Bearer ${accessToken}`);
    const [user] = (await admin(server).get('/admin/v1/users?username=alice')).body.items;
    expect(subOf(res)).toBe(user.id);
    expect(userinfo.body).toMatchObject({
      sub: user.id,
      email: 'alice@example.test',
      name: 'Alice Liddell',
      given_name: 'Alice',
      family_name: 'Liddell',
      phone_number: '+358401234567',
    });
    const pg = new PgClient({ connectionString: db.url });
    await pg.connect();
    const { rows } = await pg.query(
      'SELECT external_id, groups FROM directory_accounts WHERE user_id = $1',
      [user.id],
    );
    await pg.end();
    expect(rows).toEqual([
      { external_id: expect.stringMatching(/^[0-9a-f-]{36}$/), groups: ['engineering'] },
    ]);
  });

  it('treats directory groups as groups: the groups claim, one group with a local namesake, allowed_groups', async () => {
    const grant = (c: { client_id: string; client_secret?: string }, username: string) =>
      postFormFrom(
        '127.0.0.1',
        server.origin,
        '/uas/oauth2/token',
        {
          grant_type: 'password',
          username,
          password: `${username}-password`,
          scope: 'openid groups',
        },
        { Authorization: basic(c.client_id, c.client_secret!) },
      );
    expect((await passwordGrant('bob', 'bob-password')).status).toBe(200);
    const [bob] = (await admin(server).get('/admin/v1/users?username=bob')).body.items;
    const engineering = await admin(server).post('/admin/v1/groups', { name: 'Engineering' });
    const local = await admin(server).post('/admin/v1/groups', { name: 'Local Only' });
    for (const group of [engineering, local]) {
      const put = await admin(server).put(
        `/admin/v1/groups/${group.body.id}/members/${bob.id}`,
        {},
      );
      expect(put.status).toBe(204);
    }

    const res = await grant(client, 'bob');
    expect(res.status).toBe(200);
    const body = json(res) as { id_token: string; access_token: string };
    // `engineering` from the directory and the local `Engineering` are one group, named as locally.
    expect(decodeJwt(body.id_token).payload.groups).toEqual([
      'admins',
      'Engineering',
      'Local Only',
    ]);
    const userinfo = await request(server.http)
      .get('/uas/oauth2/userinfo')
      .set('Authorization', `Bearer ${body.access_token}`);
    expect(userinfo.body.groups).toEqual(['admins', 'Engineering', 'Local Only']);
    expect((await admin(server).get(`/admin/v1/users/${bob.id}`)).body.groups).toEqual([
      'admins',
      'Engineering',
      'Local Only',
    ]);

    const adminsOnly = await adminCreateClient(server, {
      grant_types: ['password'],
      allowed_groups: ['ADMINS'],
    });
    expect((await grant(adminsOnly, 'bob')).status).toBe(200);
    const refused = await grant(adminsOnly, 'alice');
    expect(refused.status).toBe(400);
    expect(json(refused).error).toBe('invalid_grant');
    await admin(server).delete(`/admin/v1/groups/${engineering.body.id}`);
    await admin(server).delete(`/admin/v1/groups/${local.body.id}`);
  });

  it('signs a directory user in at the login page, as the same user', async () => {
    const browser = new Browser(server);
    const { verifier, challenge } = pkcePair();

    const { code } = await browser.signIn(loginParams(challenge), 'bob', 'bob-password');
    const token = await postForm(
      server,
      '/oauth2/token',
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
      auth,
    );

    expect(token.status).toBe(200);
    const viaGrant = await passwordGrant('bob', 'bob-password');
    expect(decodeJwt(token.body.id_token).payload.sub).toBe(subOf(viaGrant));
  });

  it('refuses a wrong password at the login page with the form again', async () => {
    const browser = new Browser(server);
    const form = await browser.openLoginPage(loginParams());

    const res = await browser.submitLogin(form, 'bob', 'not-bobs-password');

    expect(res.status).toBe(200);
    expect(res.headers.location).toBeUndefined();
  });

  it('refuses a wrong password and counts it like a local one', async () => {
    for (let i = 0; i < MAX_FAILURES; i += 1) {
      const res = await passwordGrant('carol', 'wrong password', '127.0.0.2');
      expect(res.status).toBe(400);
      expect(json(res)).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
    }

    expect((await passwordGrant('carol', 'carol-password', '127.0.0.2')).status).toBe(400);
    expect((await passwordGrant('carol', 'carol-password', '127.0.0.3')).status).toBe(200);
  });

  it('counts a wrong password under each spelling the directory matches, spaces around the name', async () => {
    // RFC 4518 §2.6.1: OpenLDAP finds carol's entry for every one of these.
    const spellings = [' carol', 'carol ', '  carol\t'];
    expect(spellings).toHaveLength(MAX_FAILURES);
    for (const spelling of spellings) {
      expect((await passwordGrant(spelling, 'wrong password', '127.0.0.7')).status).toBe(400);
    }

    // Past the limit from that address under any spelling, even with the right password.
    expect((await passwordGrant(' carol ', 'carol-password', '127.0.0.7')).status).toBe(400);
    expect((await passwordGrant('carol', 'carol-password', '127.0.0.7')).status).toBe(400);
    expect((await passwordGrant(' carol ', 'carol-password', '127.0.0.8')).status).toBe(200);
  });

  it.each([
    ['a wildcard', 'al*', 'invalid_grant'],
    ['a lone wildcard', '*', 'invalid_grant'],
    ['a closed assertion and another', 'alice)(uid=*', 'invalid_grant'],
    ['an OR of everything', '*)(|(uid=*', 'invalid_grant'],
    ['a backslash', 'alice\\', 'invalid_grant'],
    // The token endpoint refuses control characters before any lookup (libs/ldap unit tests escape NUL).
    ['a NUL', 'alice\u0000', 'invalid_request'],
  ])('changes nothing with %s in the username', async (_what, username, error) => {
    const res = await passwordGrant(username, 'alice-password', '127.0.0.4');

    expect(res.status).toBe(400);
    expect(json(res)).toEqual({ error, error_description: expect.any(String) });
  });

  it('keeps the sub when the entry is renamed and moved', async () => {
    const before = subOf(await passwordGrant('alice', 'alice-password'));
    const ldap = new LdapClient({ url: slapd.url });
    await ldap.bind(`cn=admin,${SUFFIX}`, ROOT_PASSWORD);
    await ldap.modifyDN(`uid=alice,ou=people,${SUFFIX}`, `uid=alice.liddell,ou=staff,${SUFFIX}`);
    await ldap.unbind();

    const renamed = await passwordGrant('alice.liddell', 'alice-password');
    const oldName = await passwordGrant('alice', 'alice-password', '127.0.0.5');

    expect(renamed.status).toBe(200);
    expect(subOf(renamed)).toBe(before);
    expect(oldName.status).toBe(400);
    const user = (await admin(server).get(`/admin/v1/users/${before as string}`)).body;
    expect(user.username).toBe('alice.liddell');
  });

  it('answers 503 while the directory is down, counts nothing, and recovers without a restart', async () => {
    await slapd.pause();
    try {
      for (let i = 0; i < MAX_FAILURES + 1; i += 1) {
        const res = await passwordGrant('bob', 'bob-password', '127.0.0.6');
        expect(res.status).toBe(503);
        expect(res.headers['retry-after']).toMatch(/^\d+$/);
        expect(json(res)).toEqual({
          error: 'temporarily_unavailable',
          error_description: expect.any(String),
        });
      }
      const browser = new Browser(server);
      const form = await browser.openLoginPage(loginParams());
      const page = await browser.submitLogin(form, 'bob', 'bob-password');
      expect(page.status).toBe(503);
      expect(page.headers['retry-after']).toMatch(/^\d+$/);
    } finally {
      await slapd.resume();
    }

    const res = await passwordGrant('bob', 'bob-password', '127.0.0.6');
    expect(res.status).toBe(200);
  });

  it('still signs local users in while the directory is down', async () => {
    await admin(server).post('/admin/v1/users', { username: 'local', password: 'local password' });
    await slapd.pause();
    try {
      expect((await passwordGrant('local', 'local password')).status).toBe(200);
    } finally {
      await slapd.resume();
    }
  });

  it('deletes the users of a deleted directory, ending their sessions with their logouts', async () => {
    const sub = subOf(await passwordGrant('carol', 'carol-password'));
    await new Browser(server).signIn(loginParams(), 'carol', 'carol-password');

    expect((await admin(server).delete(`/admin/v1/directories/${directoryId}`)).status).toBe(204);
    for (const gone of [directoryId, 'not-a-uuid'])
      expect((await admin(server).delete(`/admin/v1/directories/${gone}`)).status).toBe(404);
    expect((await admin(server).get(`/admin/v1/users/${sub as string}`)).status).toBe(404);
    expect((await passwordGrant('carol', 'carol-password')).status).toBe(400);
    const logouts = await admin(server).get('/admin/v1/audit-events?type=logout&limit=1');
    expect(logouts.body.items).toEqual([
      expect.objectContaining({
        subject: sub,
        actor: 'admin_token',
        details: { sid: expect.any(String), reason: 'user_deleted' },
      }),
    ]);
  });
});
