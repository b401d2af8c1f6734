import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { freePort } from './test-server';

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
  ) {}

  /** ldap://127.0.0.1:PORT */
  get url(): string {
    return `ldap://127.0.0.1:${this.port}`;
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
    const configFile = path.join(dir, 'slapd.conf');
    await writeFile(configFile, slapdConf(dir, options.suffix, schemaFiles));
    const ldifFile = path.join(dir, 'data.ldif');
    await writeFile(ldifFile, options.ldif);
    await run(SLAPADD, ['-f', configFile, '-l', ldifFile]);
    const slapd = new Slapd(dir, await freePort(), configFile);
    await slapd.resume();
    return slapd;
  }

  /** Starts slapd (again) on the same port and waits until it accepts connections. */
  async resume(): Promise<void> {
    if (this.process) return;
    // -d 0: stay in the foreground (a child the test owns and kills), logging nothing.
    const child = spawn(SLAPD, ['-f', this.configFile, '-h', `${this.url}/`, '-d', '0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    this.process = child;
    const deadline = Date.now() + 10_000;
    while (!(await accepts(this.port))) {
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

function slapdConf(dir: string, suffix: string, schemaFiles: readonly string[]): string {
  return [
    ...schemaFiles.map((file) => `include ${file}`),
    `modulepath ${MODULES}`,
    'moduleload back_mdb',
    `pidfile ${path.join(dir, 'slapd.pid')}`,
    `argsfile ${path.join(dir, 'slapd.args')}`,
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

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
