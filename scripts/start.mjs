// `npm start`: build (a couple of seconds with swc), then run the compiled server.
import { spawn, spawnSync } from 'node:child_process';
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
const server = spawn(process.execPath, [path.join(root, 'dist/apps/server/src/main.js')], {
  stdio: 'inherit',
  env,
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
