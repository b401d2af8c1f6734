import { postFormFrom, RawResponse } from '../setup/from-address';
import { LogCapture } from '../setup/log-capture';
import { admin, adminCreateClient, basic } from '../setup/oauth';
import { SERVICE_DN_RDN, SERVICE_PASSWORD, Slapd, TestCertificateAuthority } from '../setup/slapd';
import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { startTestServer, TestServer } from '../setup/test-server';

const SUFFIX = 'dc=example,dc=test';
const MAX_FAILURES = 2;
/** One directory user per test, so that no test's sign-in shows in another's user list. */
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'];

const LDIF = [
  `dn: ${SUFFIX}
objectClass: dcObject
objectClass: organization
o: Example
dc: example`,
  `dn: ${SERVICE_DN_RDN},${SUFFIX}
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: uas-service
userPassword: ${SERVICE_PASSWORD}`,
  `dn: ou=people,${SUFFIX}
objectClass: organizationalUnit
ou: people`,
  ...USERS.map(
    (uid) => `dn: uid=${uid},ou=people,${SUFFIX}
objectClass: inetOrgPerson
uid: ${uid}
cn: ${uid}
sn: ${uid}
userPassword: ${uid}-password`,
  ),
].join('\n\n');

/**
 * Node's (OpenSSL's X509_V_ERR_*) wording when the chain does not lead to a trusted CA; slapd
 * sends the test CA along with its certificate, hence usually "self-signed ... in chain".
 */
const UNTRUSTED =
  /self-signed certificate in certificate chain|unable to (get local issuer certificate|verify the first certificate)/;
/** Node's checkServerIdentity (RFC 6125 §6): the name connected to is not in the certificate. */
const WRONG_NAME = /does not match certificate's altnames/;

/**
 * TLS to the directory end to end against a real slapd with a test CA (RFC 4513 §3): ldaps://
 * and StartTLS sign in when the certificate verifies against `ca_certificate`, and a directory
 * whose certificate does not verify (unknown CA, or another host's name) signs nobody in: it is
 * a directory that cannot be asked, 503, with no failed login counted.
 */
describe('TLS to the directory', () => {
  let ca: TestCertificateAuthority;
  let otherCa: TestCertificateAuthority;
  let slapd: Slapd;
  let wrongHost: Slapd;
  let db: TestDatabase;
  let server: TestServer;
  let auth: string;
  const logs = new LogCapture();

  beforeAll(async () => {
    ca = await TestCertificateAuthority.create();
    otherCa = await TestCertificateAuthority.create('Other Test CA');
    slapd = await Slapd.start({
      suffix: SUFFIX,
      ldif: LDIF,
      tls: await ca.issue({ dns: ['localhost'], ip: ['127.0.0.1'] }),
    });
    // Issued by the trusted CA, but for another name than the 127.0.0.1 it is reached at.
    wrongHost = await Slapd.start({
      suffix: SUFFIX,
      ldif: LDIF,
      tls: await ca.issue({ dns: ['ldap.example'] }),
    });
    db = await createTestDatabase();
    server = await startTestServer({
      databaseUrl: db.url,
      // debug: the 503's detail (the TLS error) is logged, and only at debug.
      env: {
        LOGIN_MAX_FAILURES: String(MAX_FAILURES),
        LOGIN_WINDOW_SECONDS: '600',
        LOG_LEVEL: 'debug',
      },
      logDestination: logs,
    });
    const client = await adminCreateClient(server, { grant_types: ['password'] });
    auth = basic(client.client_id, client.client_secret!);
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
    await slapd?.stop();
    await wrongHost?.stop();
  });

  const directory = (
    name: string,
    tls: { url: string; start_tls: boolean; ca: string | null },
  ) => ({
    name,
    url: tls.url,
    start_tls: tls.start_tls,
    ca_certificate: tls.ca,
    bind_dn: `${SERVICE_DN_RDN},${SUFFIX}`,
    bind_password: SERVICE_PASSWORD,
    user_base_dn: SUFFIX,
    user_filter: '(&(objectClass=inetOrgPerson)(uid={username}))',
    attributes: { id: 'entryUUID', username: 'uid' },
    timeout_ms: 3000,
  });

  /** Registers a directory, runs `body`, and deletes the directory (the first directory decides). */
  const withDirectory = async (
    settings: ReturnType<typeof directory>,
    body: () => Promise<void>,
  ) => {
    const created = await admin(server).post('/admin/v1/directories', settings);
    expect(created.status).toBe(201);
    try {
      await body();
    } finally {
      expect((await admin(server).delete(`/admin/v1/directories/${created.body.id}`)).status).toBe(
        204,
      );
    }
  };

  const passwordGrant = (username: string, from: string) =>
    postFormFrom(
      from,
      server.origin,
      '/uas/oauth2/token',
      { grant_type: 'password', username, password: `${username}-password`, scope: 'openid' },
      { Authorization: auth },
    );
  const json = (res: RawResponse) => JSON.parse(res.text) as Record<string, unknown>;
  const usersNamed = async (username: string) =>
    (await admin(server).get(`/admin/v1/users?username=${username}`)).body.items as unknown[];

  it('signs in over ldaps:// when the certificate verifies against ca_certificate', async () => {
    await withDirectory(
      directory('ldaps', { url: slapd.ldapsUrl, start_tls: false, ca: ca.caPem }),
      async () => {
        const res = await passwordGrant('alice', '127.0.0.1');

        expect(res.status).toBe(200);
        expect(json(res).id_token).toEqual(expect.any(String));
        expect(await usersNamed('alice')).toHaveLength(1);
      },
    );
  });

  it('signs in over ldap:// with StartTLS when the certificate verifies against ca_certificate', async () => {
    await withDirectory(
      directory('starttls', { url: slapd.url, start_tls: true, ca: ca.caPem }),
      async () => {
        const res = await passwordGrant('bob', '127.0.0.1');

        expect(res.status).toBe(200);
        expect(await usersNamed('bob')).toHaveLength(1);
      },
    );
  });

  it.each([
    ['ldaps:// trusting only the system CAs', 'carol', 'ldaps', null, UNTRUSTED],
    ['ldaps:// trusting another CA', 'dave', 'ldaps', 'other', UNTRUSTED],
    ['StartTLS trusting another CA', 'erin', 'starttls', 'other', UNTRUSTED],
    ['ldaps:// to a certificate for another host', 'frank', 'ldaps', 'wrong-host', WRONG_NAME],
    ['StartTLS to a certificate for another host', 'grace', 'starttls', 'wrong-host', WRONG_NAME],
  ] as const)(
    'signs nobody in over %s: 503, nothing counted',
    async (_what, username, mode, trust, reason) => {
      const target = trust === 'wrong-host' ? wrongHost : slapd;
      const settings = directory(`refused-${username}`, {
        url: mode === 'ldaps' ? target.ldapsUrl : target.url,
        start_tls: mode === 'starttls',
        ca: trust === null ? null : trust === 'other' ? otherCa.caPem : ca.caPem,
      });
      const from = `127.0.0.${10 + USERS.indexOf(username)}`;
      const before = logs.lines().length;

      await withDirectory(settings, async () => {
        // More attempts than LOGIN_MAX_FAILURES: were any counted, the last would be locked out.
        for (let i = 0; i < MAX_FAILURES + 1; i += 1) {
          const res = await passwordGrant(username, from);
          expect(res.status).toBe(503);
          expect(res.headers['retry-after']).toMatch(/^\d+$/);
          expect(json(res)).toEqual({
            error: 'temporarily_unavailable',
            error_description: expect.any(String),
          });
        }
      });
      expect(await usersNamed(username)).toEqual([]);
      const failures = logs
        .lines()
        .slice(before)
        .filter((line) => line.includes('temporarily_unavailable'));
      expect(failures).toHaveLength(MAX_FAILURES + 1);
      for (const line of failures) expect(line).toMatch(reason);

      // The same user from the same address signs in once the directory verifies: nothing counted.
      await withDirectory(
        directory(`fixed-${username}`, {
          url: mode === 'ldaps' ? slapd.ldapsUrl : slapd.url,
          start_tls: mode === 'starttls',
          ca: ca.caPem,
        }),
        async () => {
          expect((await passwordGrant(username, from)).status).toBe(200);
        },
      );
    },
  );
});
