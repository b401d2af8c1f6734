import { ChildProcess, execFile, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import * as x509 from '@peculiar/x509';

import { accepts, freePort } from './test-server';

const run = promisify(execFile);

/** Debian's slapd and its modules and schemas (`apt-get install slapd ldap-utils`, scripts/ci-slapd.sh). */
const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const MODULES = '/usr/lib/ldap';
const SCHEMAS = '/etc/ldap/schema';

/** What a test directory is made of. */
export interface SlapdOptions {
  /** e.g. `dc=example,dc=test` */
  readonly suffix: string;
  /** The entries, as LDIF, loaded with slapadd before the first start (entryUUIDs are generated). */
  readonly ldif: string;
  /** Extra schema files (slapd.conf syntax), after core, cosine, inetorgperson and nis. */
  readonly schemas?: readonly string[];
  /** A server certificate: slapd then also listens on ldaps:// and offers StartTLS on ldap://. */
  readonly tls?: ServerCertificate;
}

/** PEM files for slapd's TLS (Debian's slapd uses GnuTLS: an unencrypted PKCS#8 RSA key). */
export interface ServerCertificate {
  readonly certificatePem: string;
  readonly keyPem: string;
  /** The issuing CA's certificate (TLSCACertificateFile). */
  readonly caPem: string;
}

/**
 * A real OpenLDAP server on a free loopback port, configured by the test (slapd.conf, an mdb
 * database in a temp directory), that the test can stop and start again on the same port.
 */
export class Slapd {
  private process: ChildProcess | null = null;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly configFile: string,
    /** The ldaps:// port, when started with `tls`. */
    readonly tlsPort: number | null = null,
  ) {}

  /** ldap://127.0.0.1:PORT */
  get url(): string {
    return `ldap://127.0.0.1:${this.port}`;
  }

  /** ldaps://127.0.0.1:TLS_PORT (only when started with `tls`). */
  get ldapsUrl(): string {
    if (this.tlsPort === null) throw new Error('slapd was started without tls');
    return `ldaps://127.0.0.1:${this.tlsPort}`;
  }

  /** Writes the configuration, loads the entries and starts slapd. */
  static async start(options: SlapdOptions): Promise<Slapd> {
    const dir = await mkdtemp(path.join(tmpdir(), 'uas-slapd-'));
    await mkdir(path.join(dir, 'db'));
    const schemaFiles = ['core', 'cosine', 'inetorgperson', 'nis'].map((name) =>
      path.join(SCHEMAS, `${name}.schema`),
    );
    for (const [index, schema] of (options.schemas ?? []).entries()) {
      const file = path.join(dir, `extra-${index}.schema`);
      await writeFile(file, schema);
      schemaFiles.push(file);
    }
    const tlsLines: string[] = [];
    if (options.tls) {
      const files = {
        TLSCACertificateFile: ['ca.pem', options.tls.caPem],
        TLSCertificateFile: ['server.pem', options.tls.certificatePem],
        TLSCertificateKeyFile: ['server.key', options.tls.keyPem],
      };
      for (const [directive, [name, pem]] of Object.entries(files)) {
        // The key stays readable only by this user, which slapd runs as.
        await writeFile(path.join(dir, name), pem, { mode: 0o600 });
        tlsLines.push(`${directive} ${path.join(dir, name)}`);
      }
    }
    const configFile = path.join(dir, 'slapd.conf');
    await writeFile(configFile, slapdConf(dir, options.suffix, schemaFiles, tlsLines));
    const ldifFile = path.join(dir, 'data.ldif');
    await writeFile(ldifFile, options.ldif);
    await run(SLAPADD, ['-f', configFile, '-l', ldifFile]);
    const port = await freePort();
    let tlsPort: number | null = null;
    // freePort() closes its listener before answering: ask again until the two differ.
    while (options.tls && (tlsPort === null || tlsPort === port)) tlsPort = await freePort();
    const slapd = new Slapd(dir, port, configFile, tlsPort);
    await slapd.resume();
    return slapd;
  }

  /** Starts slapd (again) on the same port and waits until it accepts connections. */
  async resume(): Promise<void> {
    if (this.process) return;
    // -d 0: stay in the foreground (a child the test owns and kills), logging nothing.
    const urls = this.tlsPort === null ? `${this.url}/` : `${this.url}/ ${this.ldapsUrl}/`;
    const child = spawn(SLAPD, ['-f', this.configFile, '-h', urls, '-d', '0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    this.process = child;
    const deadline = Date.now() + 10_000;
    const ports = this.tlsPort === null ? [this.port] : [this.port, this.tlsPort];
    while (!(await acceptsAll(ports))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        this.process = null;
        child.kill('SIGKILL');
        throw new Error(`slapd did not start: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops slapd (its data stays) and waits until it has exited. */
  async pause(): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.process = null;
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** Stops slapd and removes its files. */
  async stop(): Promise<void> {
    await this.pause();
    await rm(this.dir, { recursive: true, force: true });
  }
}

function slapdConf(
  dir: string,
  suffix: string,
  schemaFiles: readonly string[],
  tlsLines: readonly string[],
): string {
  return [
    ...schemaFiles.map((file) => `include ${file}`),
    `modulepath ${MODULES}`,
    'moduleload back_mdb',
    `pidfile ${path.join(dir, 'slapd.pid')}`,
    `argsfile ${path.join(dir, 'slapd.args')}`,
    ...tlsLines,
    'database mdb',
    'maxsize 10485760',
    `suffix "${suffix}"`,
    `rootdn "cn=admin,${suffix}"`,
    `rootpw ${ROOT_PASSWORD}`,
    `directory ${path.join(dir, 'db')}`,
    'index objectClass eq',
    // Passwords are only ever compared by a bind; the service account reads everything else.
    'access to attrs=userPassword by anonymous auth by * none',
    `access to * by dn.exact="${SERVICE_DN_RDN},${suffix}" read by self read by * none`,
    '',
  ].join('\n');
}

/** The directory manager's password (rootdn `cn=admin,<suffix>`): for tests that rename entries. */
export const ROOT_PASSWORD = 'root-secret';
/** The service account's RDN; the account must be in the test's LDIF with SERVICE_PASSWORD. */
export const SERVICE_DN_RDN = 'cn=uas-service';
export const SERVICE_PASSWORD = 'service-secret';

async function acceptsAll(ports: readonly number[]): Promise<boolean> {
  for (const port of ports) if (!(await accepts(port))) return false;
  return true;
}

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
const DAY_MS = 24 * 3600 * 1000;

/** An RSA key pair as WebCrypto keys (for @peculiar/x509) and its PKCS#8 PEM. */
async function rsaKeys(): Promise<{ keys: webcrypto.CryptoKeyPair; pem: string }> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const subtle = globalThis.crypto.subtle;
  const keys = {
    publicKey: await subtle.importKey(
      'spki',
      publicKey.export({ format: 'der', type: 'spki' }),
      RSA,
      true,
      ['verify'],
    ),
    privateKey: await subtle.importKey(
      'pkcs8',
      privateKey.export({ format: 'der', type: 'pkcs8' }),
      RSA,
      false,
      ['sign'],
    ),
  };
  return { keys, pem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string };
}

/** A throwaway certificate authority that issues server certificates for test directories. */
export class TestCertificateAuthority {
  private constructor(
    private readonly keys: webcrypto.CryptoKeyPair,
    private readonly certificate: x509.X509Certificate,
  ) {}

  /** The CA certificate, PEM: what a directory's `ca_certificate` trusts. */
  get caPem(): string {
    return this.certificate.toString('pem');
  }

  static async create(name = 'UAS Test CA'): Promise<TestCertificateAuthority> {
    const { keys } = await rsaKeys();
    const notBefore = new Date(Date.now() - DAY_MS);
    const certificate = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: randomBytes(8).toString('hex'),
        name: `CN=${name}`,
        notBefore,
        notAfter: new Date(notBefore.getTime() + 2 * DAY_MS),
        signingAlgorithm: RSA,
        keys,
        extensions: [
          new x509.BasicConstraintsExtension(true, 0, true),
          new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
            true,
          ),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, globalThis.crypto),
        ],
      },
      globalThis.crypto,
    );
    return new TestCertificateAuthority(keys, certificate);
  }

  /** A server certificate (RFC 5280 subjectAltName) for these DNS names and IP addresses. */
  async issue(names: {
    dns?: readonly string[];
    ip?: readonly string[];
  }): Promise<ServerCertificate> {
    const { keys, pem } = await rsaKeys();
    const notBefore = new Date(Date.now() - DAY_MS);
    const altNames = [
      ...(names.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
      ...(names.ip ?? []).map((value) => ({ type: 'ip' as const, value })),
    ];
    const certificate = await x509.X509CertificateGenerator.create(
      {
        serialNumber: randomBytes(8).toString('hex'),
        subject: `CN=${altNames[0].value}`,
        issuer: this.certificate.subject,
        notBefore,
        notAfter: new Date(notBefore.getTime() + 2 * DAY_MS),
        signingAlgorithm: RSA,
        signingKey: this.keys.privateKey,
        publicKey: keys.publicKey,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
            true,
          ),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          new x509.SubjectAlternativeNameExtension(altNames),
          await x509.AuthorityKeyIdentifierExtension.create(
            this.keys.publicKey,
            false,
            globalThis.crypto,
          ),
        ],
      },
      globalThis.crypto,
    );
    return { certificatePem: certificate.toString('pem'), keyPem: pem, caPem: this.caPem };
  }
}
