// STYLE §1: libraries depend one way, are imported only through their @app/<name> root, and
// never reach into another library by a relative path. Run by CI; prints every violation.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Each layer may import only from layers before it.
const LAYERS = [
  ['config', 'errors', 'observability'],
  ['crypto', 'persistence'],
  // LDAP / Active Directory sign-in, which accounts asks before its own users' passwords.
  ['ldap'],
  ['keys', 'clients', 'accounts', 'otp', 'saml'],
  ['factors'],
  ['tokens', 'authorization'],
  ['grants'],
  ['discovery'],
];
const layerOf = new Map(LAYERS.flatMap((names, i) => names.map((n) => [n, i])));

function* tsFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* tsFiles(full);
    else if (entry.name.endsWith('.ts')) yield full;
  }
}

const problems = [];
for (const top of ['libs', 'apps', 'test']) {
  for (const file of tsFiles(path.join(root, top))) {
    const rel = path.relative(root, file);
    const owner = rel.startsWith('libs/') ? rel.split('/')[1] : null;
    const source = readFileSync(file, 'utf8');
    for (const [, spec] of source.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      if (spec.startsWith('@app/')) {
        const [, name, ...rest] = spec.split('/');
        if (rest.length) problems.push(`${rel}: deep import ${spec} (use @app/${name})`);
        if (!layerOf.has(name)) problems.push(`${rel}: unknown library @app/${name}`);
        if (owner && name === owner)
          problems.push(`${rel}: imports its own library through @app/${name}`);
        if (
          owner &&
          layerOf.has(owner) &&
          layerOf.get(name) >= layerOf.get(owner) &&
          name !== owner
        ) {
          problems.push(
            `${rel}: @app/${owner} may not depend on @app/${name} (dependencies point one way)`,
          );
        }
      } else if (spec.startsWith('.')) {
        const target = path.relative(root, path.resolve(path.dirname(file), spec));
        // Unit tests may use the shared test helpers (STYLE §8: test/mocks.ts, test/factories).
        const testHelper = rel.endsWith('.spec.ts') && target.startsWith('test/');
        if (owner && !testHelper && !target.startsWith(`libs/${owner}/`))
          problems.push(`${rel}: relative import ${spec} leaves the library`);
        if (!owner && target.startsWith('libs/'))
          problems.push(`${rel}: relative import ${spec} into a library (use @app/*)`);
      }
    }
  }
}

if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`\n${problems.length} dependency rule violation(s)`);
  process.exit(1);
}
console.log('dependency rules hold');
