// `npm start`: build (a couple of seconds with swc), then run the compiled server.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const build = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], {
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

// CONTRACT §5: on the embedded database (a developer's machine) logs default to pretty lines;
// with DATABASE_URL, and always under `start:prod` and the container, to JSON lines.
const env = { ...process.env };
if (!env.LOG_FORMAT && !env.DATABASE_URL) env.LOG_FORMAT = 'pretty';
// The same allocator settings and node flags as `start:prod` (package.json, the one place they
// are written): the server started either way uses the same memory (README, Performance).
const prod = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts[
  'start:prod'
].split(/\s+/);
const nodeAt = prod.indexOf('node');
for (const pair of prod.slice(0, nodeAt)) {
  // NAME=value, where the value may hold '=' itself (GLIBC_TUNABLES=glibc.malloc.hugetlb=1);
  // `exec` is the shell's.
  const at = pair.indexOf('=');
  if (at === -1) continue;
  env[pair.slice(0, at)] ??= pair.slice(at + 1);
}
const flags = prod.slice(nodeAt + 1).filter((arg) => arg.startsWith('--'));
const server = spawn(
  process.execPath,
  [...flags, path.join(root, 'dist/apps/server/src/main.js')],
  {
    stdio: 'inherit',
    env,
  },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
