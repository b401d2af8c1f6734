import { spawnSync } from 'node:child_process';
import path from 'node:path';

const MAIN = path.resolve(__dirname, '../../dist/apps/server/src/main.js');

/** Runs the built server (npm test builds first) with exactly `env`. */
function start(env: Record<string, string>) {
  const result = spawnSync(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stderr: result.stderr.trim(), stdout: result.stdout.trim() };
}

describe('configuration at start-up', () => {
  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ ISSUER: 'not a url' }, 'ISSUER'],
    [{ ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN'],
    [{ MASTER_KEY: 'too-short' }, 'MASTER_KEY'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://127.0.0.1:1/x' }, 'MASTER_KEY'],
    [{ OTP_LENGTH: '3' }, 'OTP_LENGTH'],
    [{ METADATA_CERTIFICATE: 'maybe' }, 'METADATA_CERTIFICATE'],
    [{ OUTBOUND_DENY_PRIVATE: 'maybe' }, 'OUTBOUND_DENY_PRIVATE'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL'],
    [{ TRUST_PROXY: '2' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '999.1.1.1' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '0.0.0.0/0' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '::/200' }, 'TRUST_PROXY'],
  ])('exits 1 with one line naming the variable for %j', (env, variable) => {
    const result = start(env);

    expect(result.status).toBe(1);
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(new RegExp(`^configuration error: ${variable}: `));
    expect(result.stderr).not.toMatch(/\bat .+\(.+:\d+:\d+\)/);
  });

  it('prints one line per bad variable when several are wrong', () => {
    const result = start({ PORT: 'x', LOG_LEVEL: 'loud' });

    expect(result.status).toBe(1);
    expect(result.stderr.split('\n').sort()).toEqual([
      expect.stringMatching(/^configuration error: LOG_LEVEL: /),
      expect.stringMatching(/^configuration error: PORT: /),
    ]);
  });

  it('exits 1 with one line when the database cannot be reached', () => {
    const result = start({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
      MASTER_KEY: 'A'.repeat(43),
    });

    expect(result.status).toBe(1);
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^start-up failed: /);
  });
});
