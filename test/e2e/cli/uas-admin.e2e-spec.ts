import { execFile } from 'node:child_process';
import path from 'node:path';

import { admin, basic, postForm } from '../../setup/oauth';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { startTestServer, TEST_ADMIN_TOKEN, TestServer } from '../../setup/test-server';

const BIN = path.resolve(__dirname, '../../../apps/cli/bin/uas-admin.cjs');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI as a script runs it: its own process, the package's bin, environment variables. */
function cli(args: string[], env: Record<string, string> = {}, input?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** CONTRACT §5: `uas-admin`, the CLI over the admin API. */
describe('uas-admin CLI', () => {
  let db1: TestDatabase;
  let db2: TestDatabase;
  let source: TestServer;
  let target: TestServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    [db1, db2] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    source = await startTestServer({ databaseUrl: db1.url });
    target = await startTestServer({ databaseUrl: db2.url });
    env = { UAS_ADMIN_URL: source.origin, UAS_ADMIN_TOKEN: TEST_ADMIN_TOKEN };
  });

  afterAll(async () => {
    await source?.close();
    await target?.close();
    await db1?.drop();
    await db2?.drop();
  });

  it('creates, lists and deletes a client, with --json output a script can parse', async () => {
    const created = await cli(
      [
        '--json',
        'clients',
        'create',
        '--name',
        'cli-app',
        '--redirect-uri',
        'https://app.example.com/cb',
      ],
      env,
    );
    expect(created).toEqual({ code: 0, stdout: expect.any(String), stderr: '' });
    const client = JSON.parse(created.stdout);
    expect(client).toEqual(
      expect.objectContaining({
        client_id: expect.any(String),
        client_secret: expect.any(String),
        client_name: 'cli-app',
      }),
    );

    const listed = await cli(['--json', 'clients', 'list'], env);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).items).toContainEqual(
      expect.objectContaining({ client_id: client.client_id, client_name: 'cli-app' }),
    );
    const human = await cli(['clients', 'list'], env);
    expect(human.stdout).toContain(`${client.client_id}\tcli-app`);

    const deleted = await cli(['clients', 'delete', client.client_id], env);
    expect(deleted.code).toBe(0);
    expect((await admin(source).get(`/admin/v1/clients/${client.client_id}`)).status).toBe(404);
  });

  it('revokes every token of a client and keeps the client', async () => {
    const made = await cli(
      [
        '--json',
        'clients',
        'create',
        '--name',
        'revoked-app',
        '--grant-type',
        'client_credentials',
      ],
      env,
    );
    expect(made.code).toBe(0);
    const client = JSON.parse(made.stdout);
    const auth = basic(client.client_id, client.client_secret);
    const token = await postForm(
      source,
      '/oauth2/token',
      { grant_type: 'client_credentials' },
      auth,
    );
    expect(token.status).toBe(200);
    const introspect = async () =>
      (await postForm(source, '/oauth2/introspection', { token: token.body.access_token }, auth))
        .body.active;
    expect(await introspect()).toBe(true);

    const revoked = await cli(['clients', 'revoke-tokens', client.client_id], env);

    expect(revoked).toEqual({
      code: 0,
      stdout: `revoked every token of client ${client.client_id}\n`,
      stderr: '',
    });
    expect(await introspect()).toBe(false);
    expect((await admin(source).get(`/admin/v1/clients/${client.client_id}`)).status).toBe(200);
    const unknown = await cli(
      ['clients', 'revoke-tokens', '00000000-0000-4000-8000-000000000000'],
      env,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('404 not_found');
    // The export test below expects exactly the clients it made.
    expect((await admin(source).delete(`/admin/v1/clients/${client.client_id}`)).status).toBe(204);
  });

  it('searches the audit record by type, with --json for scripts', async () => {
    const made = await cli(
      [
        '--json',
        'clients',
        'create',
        '--name',
        'audited-app',
        '--grant-type',
        'client_credentials',
      ],
      env,
    );
    expect(made.code).toBe(0);
    const client = JSON.parse(made.stdout);

    const found = await cli(['--json', 'audit', '--type', 'client.created', '--limit', '1'], env);
    expect(found.code).toBe(0);
    expect(JSON.parse(found.stdout).items).toEqual([
      expect.objectContaining({
        type: 'client.created',
        actor: 'admin_token',
        subject: client.client_id,
        outcome: 'success',
      }),
    ]);
    const human = await cli(['audit', '--subject', client.client_id], env);
    expect(human.stdout).toMatch(/\tclient\.created\tsuccess\tadmin_token\t/);
    expect((await cli(['audit', '--limit', 'x'], env)).code).toBe(2);
    // The export test below expects exactly the clients it made.
    expect((await admin(source).delete(`/admin/v1/clients/${client.client_id}`)).status).toBe(204);
  });

  it('exits non-zero with the server error on one line', async () => {
    const missing = await cli(['users', 'get', '00000000-0000-4000-8000-000000000000'], env);

    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(
      /^uas-admin: GET \/admin\/v1\/users\/[^\n]*: 404 not_found: No such user\.\n$/,
    );
  });

  it('exits 1 with insufficient_scope when an API key lacks the scope, and works within it', async () => {
    const made = await cli(
      ['--json', 'api-keys', 'create', '--name', 'users only', '--scope', 'users:write'],
      env,
    );
    expect(made.code).toBe(0);
    const { key } = JSON.parse(made.stdout);
    const keyEnv = { ...env, UAS_ADMIN_TOKEN: key };

    const refused = await cli(['clients', 'create', '--name', 'x'], keyEnv);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('403 insufficient_scope');
    const allowed = await cli(
      ['--json', 'users', 'create', '--username', 'via-key', '--password', 'a long password 1'],
      keyEnv,
    );
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).username).toBe('via-key');
  });

  it('exits 2 on usage errors and 3 when the server cannot be reached', async () => {
    expect((await cli(['clients', 'list'], {})).code).toBe(2);
    expect((await cli(['no-such-command'], env)).code).toBe(2);
    const unreachable = await cli(['clients', 'list'], {
      ...env,
      UAS_ADMIN_URL: 'http://127.0.0.1:9',
    });
    expect(unreachable.code).toBe(3);
  });

  it('exports one server and imports into an empty one: dry run first, then the same clients and users', async () => {
    const made = await cli(
      [
        'clients',
        'create',
        '--data',
        JSON.stringify({
          client_name: 'exported app',
          redirect_uris: ['https://exported.example.com/cb'],
          scope: 'openid',
        }),
      ],
      env,
    );
    expect(made).toEqual({ code: 0, stdout: expect.any(String), stderr: '' });
    await cli(
      [
        'users',
        'create',
        '--username',
        'alice',
        '--password',
        'a long password 1',
        '--data',
        '{"email":"alice@example.com","name":"Alice"}',
      ],
      env,
    );
    expect(
      (await cli(['groups', 'create', '--name', 'Exported staff', '--require-mfa'], env)).code,
    ).toBe(0);
    expect((await cli(['groups', 'add-member', 'exported STAFF', 'alice'], env)).code).toBe(0);
    const exported = await cli(['export'], env);
    expect(exported.code).toBe(0);
    expect(exported.stdout).not.toContain(JSON.parse(made.stdout).client_secret);
    expect(exported.stdout).not.toContain('a long password 1');
    expect(exported.stdout).not.toMatch(/"(client_secret|password|key)":/);
    const file = JSON.parse(exported.stdout);
    const targetEnv = { UAS_ADMIN_URL: target.origin, UAS_ADMIN_TOKEN: TEST_ADMIN_TOKEN };

    const dryRun = await cli(['--json', 'import', '--dry-run', '-'], targetEnv, exported.stdout);
    expect(dryRun.code).toBe(0);
    expect(JSON.parse(dryRun.stdout).changes).toEqual(
      expect.arrayContaining([
        { action: 'create', kind: 'client', name: 'exported app' },
        { action: 'create', kind: 'user', name: 'alice' },
        { action: 'create', kind: 'api_key', name: 'users only' },
        { action: 'create', kind: 'group', name: 'Exported staff' },
        { action: 'create', kind: 'membership', name: 'Exported staff/alice' },
      ]),
    );
    expect((await admin(target).get('/admin/v1/clients')).body.items).toEqual([]);

    const imported = await cli(['import', '-'], targetEnv, exported.stdout);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain('[1/');
    const again = await cli(['export'], targetEnv);
    const copy = JSON.parse(again.stdout);
    const strip = (items: Record<string, unknown>[], ids: string[]) =>
      items.map((item) =>
        Object.fromEntries(Object.entries(item).filter(([k]) => !ids.includes(k))),
      );
    expect(strip(copy.clients, ['client_id', 'client_id_issued_at'])).toEqual(
      strip(file.clients, ['client_id', 'client_id_issued_at']),
    );
    expect(strip(copy.users, ['id'])).toEqual(strip(file.users, ['id']));
    expect(copy.api_keys).toEqual(file.api_keys);
    expect(copy.groups).toEqual(file.groups);
    expect(copy.groups).toContainEqual({
      name: 'Exported staff',
      description: null,
      require_mfa: true,
    });
    expect(copy.users.find((u: { username: string }) => u.username === 'alice').groups).toEqual([
      'Exported staff',
    ]);
    const nothing = await cli(['import', '--dry-run', '-'], targetEnv, exported.stdout);
    expect(nothing.stdout).toBe('nothing to change\n');
  });

  it('undoes what an import created when a later change fails', async () => {
    const file = {
      format: 'uas-admin-export',
      version: 1,
      clients: [],
      users: [
        { username: 'rollback-first' },
        // Refused by the server (not an e-mail address) after the first user was created.
        { username: 'rollback-second', email: 'not-an-address' },
      ],
    };

    const res = await cli(['import', '-'], env, JSON.stringify(file));

    expect(res.code).toBe(1);
    expect(res.stderr).toContain('rolled back 1 change(s)');
    const found = await admin(source).get('/admin/v1/users?username=rollback-first');
    expect(found.body.items).toEqual([]);
  });

  it('manages directories, exports them without the bind password, and imports them only with one', async () => {
    const settings = {
      name: 'corp-ldap',
      url: 'ldap://127.0.0.1:3899',
      bind_dn: 'cn=reader,dc=corp,dc=example',
      bind_password: 'reader secret 1',
      user_base_dn: 'ou=people,dc=corp,dc=example',
      user_filter: '(uid={username})',
      attributes: { id: 'entryUUID', username: 'uid', email: 'mail' },
    };
    const created = await cli(
      ['--json', 'directories', 'create', '--data', JSON.stringify(settings)],
      env,
    );
    expect(created.code).toBe(0);
    const directory = JSON.parse(created.stdout);
    expect(directory.bind_password).toBeUndefined();
    const listed = await cli(['directories', 'list'], env);
    expect(listed.stdout).toContain(`${directory.id}\tcorp-ldap\tldap://127.0.0.1:3899`);

    const exported = await cli(['export'], env);
    expect(exported.stdout).not.toContain('reader secret 1');
    const file = JSON.parse(exported.stdout);
    expect(file.directories).toEqual([expect.objectContaining({ name: 'corp-ldap' })]);
    const empty = await createTestDatabase();
    const fresh = await startTestServer({ databaseUrl: empty.url });
    try {
      const freshEnv = { UAS_ADMIN_URL: fresh.origin, UAS_ADMIN_TOKEN: TEST_ADMIN_TOKEN };
      const only = { format: 'uas-admin-export', version: 1, directories: file.directories };

      const refused = await cli(['import', '-'], freshEnv, JSON.stringify(only));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('corp-ldap needs bind_password');
      expect((await admin(fresh).get('/admin/v1/directories')).body.items).toEqual([]);

      only.directories[0].bind_password = 'reader secret 1';
      const imported = await cli(['--json', 'import', '-'], freshEnv, JSON.stringify(only));
      expect(imported.code).toBe(0);
      const copy = (await admin(fresh).get('/admin/v1/directories')).body.items;
      expect(copy).toEqual([
        expect.objectContaining({ name: 'corp-ldap', user_filter: '(uid={username})' }),
      ]);
    } finally {
      await fresh.close();
      await empty.drop();
    }

    // Moving the directory elsewhere needs the password in the file too: the server keeps the
    // stored one only for the connection it was given for.
    const moved = {
      format: 'uas-admin-export',
      version: 1,
      directories: [
        { ...file.directories[0], bind_password: undefined, url: 'ldap://elsewhere.example:389' },
      ],
    };
    const refusedMove = await cli(['import', '-'], env, JSON.stringify(moved));
    expect(refusedMove.code).toBe(1);
    expect(refusedMove.stderr).toContain('corp-ldap needs bind_password');
    expect((await admin(source).get(`/admin/v1/directories/${directory.id}`)).body.url).toBe(
      settings.url,
    );

    const deleted = await cli(['directories', 'delete', directory.id], env);
    expect(deleted.code).toBe(0);
  });

  it('manages groups and members by name, and imports users with their password hashes', async () => {
    const user = await cli(
      ['--json', 'users', 'create', '--username', 'grace', '--password', 'a long password 2'],
      env,
    );
    const graceId = JSON.parse(user.stdout).id as string;

    const created = await cli(
      ['--json', 'groups', 'create', '--name', 'Engineers', '--description', 'builders'],
      env,
    );
    expect(created.code).toBe(0);
    const group = JSON.parse(created.stdout);
    expect(group).toMatchObject({ name: 'Engineers', description: 'builders', require_mfa: false });

    expect((await cli(['groups', 'add-member', 'engineers', 'grace'], env)).code).toBe(0);
    expect((await admin(source).get(`/admin/v1/users/${graceId}`)).body.groups).toEqual([
      'Engineers',
    ]);
    const listed = await cli(['groups', 'list'], env);
    expect(listed.stdout).toContain(`${String(group.id)}\tEngineers\tfalse\tbuilders`);

    const updated = await cli(
      [
        '--json',
        'groups',
        'update',
        String(group.id),
        '--require-mfa',
        'true',
        '--description',
        '',
      ],
      env,
    );
    expect(JSON.parse(updated.stdout)).toMatchObject({ require_mfa: true, description: null });
    expect(JSON.parse((await cli(['--json', 'groups', 'get', 'Engineers'], env)).stdout).id).toBe(
      group.id,
    );

    expect((await cli(['groups', 'remove-member', 'Engineers', graceId], env)).code).toBe(0);
    expect((await admin(source).get(`/admin/v1/users/${graceId}`)).body.groups).toEqual([]);
    const missing = await cli(['groups', 'add-member', 'nobody-group', 'grace'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no group named nobody-group');
    expect((await cli(['groups', 'delete', 'Engineers'], env)).code).toBe(0);
    expect((await admin(source).get(`/admin/v1/groups/${String(group.id)}`)).status).toBe(404);

    // users import: the dry run writes nothing, then the same file goes in.
    const file = JSON.stringify({
      users: [
        {
          username: 'migrated',
          // Openwall crypt_blowfish test vector: "U*U" at cost 5.
          password_hash: '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW',
          email: 'migrated@example.com',
        },
      ],
    });
    const dry = await cli(['users', 'import', '--dry-run', '-'], env, file);
    expect(dry).toEqual({ code: 0, stdout: 'migrated\twould_create\n', stderr: '' });
    expect((await admin(source).get('/admin/v1/users?username=migrated')).body.items).toEqual([]);
    const real = await cli(['--json', 'users', 'import', '-'], env, file);
    expect(real.code).toBe(0);
    expect(JSON.parse(real.stdout).items).toEqual([{ username: 'migrated', status: 'created' }]);
    const again = await cli(['users', 'import', '-'], env, file);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('users.0.username');
  });

  it('replaces a client with clients update, from the clients get output, and prints it as clients get does', async () => {
    const made = await cli(
      [
        '--json',
        'clients',
        'create',
        '--name',
        'before-update',
        '--redirect-uri',
        'https://before.example.com/cb',
      ],
      env,
    );
    expect(made.code).toBe(0);
    const id = JSON.parse(made.stdout).client_id as string;
    const current = JSON.parse((await cli(['--json', 'clients', 'get', id], env)).stdout);

    // The metadata read back, edited, on stdin (client_id and client_id_issued_at included),
    // with a flag that takes precedence over the member of the same name.
    const updated = await cli(
      [
        '--json',
        'clients',
        'update',
        id,
        '--redirect-uri',
        'https://after.example.com/cb',
        'https://after.example.com/cb2',
        '--data',
        '-',
      ],
      env,
      JSON.stringify({ ...current, client_name: 'after-update' }),
    );

    expect(updated).toEqual({ code: 0, stdout: expect.any(String), stderr: '' });
    const client = JSON.parse(updated.stdout);
    expect(client).toEqual({
      ...current,
      client_name: 'after-update',
      redirect_uris: ['https://after.example.com/cb', 'https://after.example.com/cb2'],
    });
    expect(client.client_secret).toBeUndefined();
    expect((await admin(source).get(`/admin/v1/clients/${id}`)).body).toEqual(client);
    const human = await cli(
      ['clients', 'update', id, '--data', JSON.stringify({ ...client, scope: 'openid' })],
      env,
    );
    expect(human.code).toBe(0);
    expect(human.stdout).toBe((await cli(['clients', 'get', id], env)).stdout);
    expect(JSON.parse(human.stdout).scope).toBe('openid');

    const unknown = await cli(
      [
        'clients',
        'update',
        '00000000-0000-4000-8000-000000000000',
        '--name',
        'nobody',
        '--redirect-uri',
        'https://nobody.example.com/cb',
      ],
      env,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(
      /^uas-admin: PUT \/admin\/v1\/clients\/0{8}-[^\n]*: 404 not_found: No such client\.\n$/,
    );
    const invalid = await cli(
      [
        'clients',
        'update',
        id,
        '--name',
        'refused-update',
        '--redirect-uri',
        'https://after.example.com/cb',
        '--grant-type',
        'no-such-grant',
      ],
      env,
    );
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toBe('');
    expect(invalid.stderr).toMatch(/: 400 invalid_client_metadata: [^\n]*\(grant_types[^:]*: /);
    expect((await admin(source).get(`/admin/v1/clients/${id}`)).body.client_name).toBe(
      'after-update',
    );
    const notJson = await cli(
      ['directories', 'create', '--data', '{"name":"x","bind_password":"s3cret-pass"'],
      env,
    );
    expect(notJson.code).toBe(2);
    // What was typed may hold a password: it is never echoed.
    expect(notJson.stderr).toContain('not valid JSON: the inline value');
    expect(notJson.stderr).not.toContain('s3cret-pass');
    expect((await cli(['clients', 'update', id, '--data', '{not json'], env)).code).toBe(2);
    expect((await cli(['clients', 'delete', id], env)).code).toBe(0);
  });

  it("sets an imported user's password and claims with users update, by username or id", async () => {
    const madeClient = await cli(
      ['--json', 'clients', 'create', '--name', 'password-app', '--grant-type', 'password'],
      env,
    );
    expect(madeClient.code).toBe(0);
    const client = JSON.parse(madeClient.stdout);
    const signIn = (password: string) =>
      postForm(
        source,
        '/oauth2/token',
        { grant_type: 'password', username: 'imported-ivy', password },
        basic(client.client_id, client.client_secret),
      );
    // An import gives the user a random password nobody knows.
    const file = {
      format: 'uas-admin-export',
      version: 1,
      users: [{ username: 'imported-ivy', email: 'ivy@example.com', locale: 'fi' }],
    };
    expect((await cli(['import', '-'], env, JSON.stringify(file))).code).toBe(0);
    const password = 'ivys chosen password 1';
    expect((await signIn(password)).status).toBe(400);

    const updated = await cli(
      [
        '--json',
        'users',
        'update',
        'imported-ivy',
        '--password',
        password,
        '--data',
        '{"name":"Ivy Imported","locale":null}',
      ],
      env,
    );

    expect(updated).toEqual({ code: 0, stdout: expect.any(String), stderr: '' });
    expect(updated.stdout).not.toContain(password);
    const user = JSON.parse(updated.stdout);
    expect(user).toMatchObject({
      username: 'imported-ivy',
      email: 'ivy@example.com',
      name: 'Ivy Imported',
    });
    expect(user.locale).toBeUndefined();
    expect(user.password).toBeUndefined();
    expect((await admin(source).get(`/admin/v1/users/${user.id}`)).body).toEqual(user);
    const token = await signIn(password);
    expect(token.status).toBe(200);
    expect(token.body.access_token).toEqual(expect.any(String));

    const human = await cli(['users', 'update', user.id, '--data', '{"given_name":"Ivy"}'], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toBe((await cli(['users', 'get', user.id], env)).stdout);
    expect(JSON.parse(human.stdout)).toMatchObject({ given_name: 'Ivy', name: 'Ivy Imported' });

    const unknown = await cli(
      ['users', 'update', '00000000-0000-4000-8000-000000000000', '--data', '{"name":"x"}'],
      env,
    );
    expect(unknown).toEqual({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(
        /^uas-admin: PATCH \/admin\/v1\/users\/0{8}-[^\n]*: 404 not_found: No such user\.\n$/,
      ),
    });
    const nobody = await cli(['users', 'update', 'nobody-at-all', '--password', password], env);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('no user named nobody-at-all');
    const short = await cli(['users', 'update', user.id, '--password', 'short'], env);
    expect(short.code).toBe(1);
    expect(short.stdout).toBe('');
    expect(short.stderr).toMatch(
      /: 400 invalid_request: [^\n]*\(password: must be 8 to 128 characters long\)\n$/,
    );
    expect((await signIn(password)).status).toBe(200);
    expect((await cli(['users', 'update', user.id, '--data', '-'], env, '[')).code).toBe(2);
    // A bad body is a usage error before the username is even looked up (nothing sent).
    const badBody = await cli(['users', 'update', 'nobody-at-all', '--data', '-'], env, '[');
    expect(badBody.code).toBe(2);
    expect(badBody.stderr).toContain('not valid JSON: stdin');
    expect((await cli(['clients', 'delete', client.client_id], env)).code).toBe(0);
  });
});
