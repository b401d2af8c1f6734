import { postFormFrom, RawResponse } from '../setup/from-address';
import { LogCapture } from '../setup/log-capture';
import { admin, adminCreateClient, basic } from '../setup/oauth';
import {
  SERVICE_DN_RDN,
  SERVICE_PASSWORD,
  ServerCertificate,
  Slapd,
  TestCertificateAuthority,
} from '../setup/slapd';
import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { startTestServer, TestServer } from '../setup/test-server';
import { TlsFront } from './tls-front';

const SUFFIX = 'dc=example,dc=test';
const MAX_FAILURES = 2;
/** One directory user per test, so that no test's sign-in shows in another's user list. */
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];

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
  /** For localhost and 127.0.0.1, by `ca`: slapd's, and the TLS fronts'. */
  let certificate: ServerCertificate;
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
    certificate = await ca.issue({ dns: ['localhost'], ip: ['127.0.0.1'] });
    slapd = await Slapd.start({ suffix: SUFFIX, ldif: LDIF, tls: certificate });
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

  it.each([
    ['ldaps://', 'localhost', 'localhost', 'ldaps'],
    ['ldaps://', '127.0.0.1', null, 'ldaps'],
    ['StartTLS', 'localhost', 'localhost', 'starttls'],
    ['StartTLS', '127.0.0.1', null, 'starttls'],
  ] as const)(
    'over %s to %s sends SNI %p: for a DNS name, never for an IP address (RFC 6066 §3)',
    async (_what, host, sni, mode) => {
      const front = await TlsFront.start({ mode, certificate, upstreamPort: slapd.port });
      try {
        const scheme = mode === 'ldaps' ? 'ldaps' : 'ldap';
        await withDirectory(
          directory(`sni-${mode}-${host}`, {
            url: `${scheme}://${host}:${front.port}`,
            start_tls: mode === 'starttls',
            ca: ca.caPem,
          }),
          async () => {
            expect((await passwordGrant('heidi', '127.0.0.1')).status).toBe(200);
          },
        );
        expect(front.connections.map((connection) => connection.servername)).toEqual([sni]);
      } finally {
        await front.stop();
      }
    },
  );

  it('gives up on a StartTLS handshake the directory never answers: 503 within timeout_ms, connection closed', async () => {
    const timeoutMs = 1000;
    const front = await TlsFront.start({ mode: 'stall', certificate });
    try {
      await withDirectory(
        {
          ...directory('stalled-handshake', {
            url: `ldap://127.0.0.1:${front.port}`,
            start_tls: true,
            ca: ca.caPem,
          }),
          timeout_ms: timeoutMs,
        },
        async () => {
          const before = logs.lines().length;
          const started = Date.now();
          const res = await passwordGrant('heidi', '127.0.0.30');
          const elapsed = Date.now() - started;

          expect(res.status).toBe(503);
          expect(res.headers['retry-after']).toBe('5');
          expect(json(res)).toEqual({
            error: 'temporarily_unavailable',
            error_description: expect.any(String),
          });
          // Bounded by timeout_ms, not by how long the directory stays silent.
          expect(elapsed).toBeLessThan(3 * timeoutMs);
          const [connection] = front.connections;
          expect(front.connections).toHaveLength(1);
          // The front answered StartTLS and then got the ClientHello (a TLS handshake record,
          // RFC 8446 §5.1 ContentType 22): it was the handshake that stalled, not the request.
          expect(connection.afterStartTls[0]).toBe(22);
          // Having answered StartTLS, the stalling front never closes the connection: the client did.
          await connection.whenClosed;
          const detail = logs
            .lines()
            .slice(before)
            .filter((line) => line.includes('temporarily_unavailable'));
          expect(detail).toHaveLength(1);
          expect(detail[0]).toMatch(/StartTLS: no TLS within 1000 ms/);
        },
      );
      // Jest fails the running test on an unhandled rejection or an uncaught error: waiting
      // here, past where ldapts' own request timer would have fired had it been left running,
      // lets anything the abandoned StartTLS left behind surface in this test.
      await new Promise((resolve) => setTimeout(resolve, timeoutMs + 200));
    } finally {
      await front.stop();
    }
  });
});
