import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  createReadStream,
  createWriteStream,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createBrotliDecompress } from 'node:zlib';

import bundledChromium from '@sparticuz/chromium';
import { Browser, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`, as scripts/ci-browser.sh does). */
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

const WEAKENING_FLAGS = ['--disable-web-security', '--allow-running-insecure-content'];

/**
 * Launches the Chromium every browser test drives. The system one where it is installed: it
 * starts without unpacking anything and runs as a normal multi-process browser. Elsewhere the
 * headless Chromium shipped inside the `@sparticuz/chromium` devDependency, with the shared
 * libraries and fonts from the same package, so `npm ci && npm test` needs nothing else from the
 * machine. `UAS_TEST_CHROMIUM=bundled` forces the bundled build, `=system` the system one.
 */
export async function launchChromium(): Promise<Browser> {
  const choice = process.env.UAS_TEST_CHROMIUM ?? '';
  if (!['', 'system', 'bundled'].includes(choice))
    throw new Error(`UAS_TEST_CHROMIUM=${choice}: expected "system", "bundled" or unset`);
  const system = isExecutableFile(SYSTEM_CHROMIUM);
  if (choice === 'system' && !system)
    throw new Error(
      `UAS_TEST_CHROMIUM=system but ${SYSTEM_CHROMIUM} is missing: run scripts/ci-browser.sh (apt-get install chromium)`,
    );
  if (system && choice !== 'bundled') {
    return chromium.launch({
      executablePath: SYSTEM_CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }
  const dir = await unpackBundledChromium();
  return chromium.launch({
    executablePath: path.join(dir, 'chromium'),
    // The package's own flags for its build (headless shell, single process, no sandbox), less
    // the two that switch off the same-origin policy and mixed-content blocking: a login page's
    // tests must see the rules a user's browser applies.
    args: bundledChromium.args.filter((arg) => !WEAKENING_FLAGS.includes(arg)),
    headless: true,
    env: {
      ...process.env,
      // The build links against NSS and expat; the package ships them (for Amazon Linux), so a
      // machine without libnss3 (the slim Node images) runs it too.
      LD_LIBRARY_PATH: [path.join(dir, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH]
        .filter(Boolean)
        .join(':'),
      FONTCONFIG_FILE: path.join(dir, 'fonts.conf'),
    },
  });
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Unpacks the bundled build once per package version into node_modules/.cache and returns the
 * directory. The package's own `executablePath()` unpacks into a shared /tmp/chromium and reuses
 * whatever it finds there (another version, or half a file from an interrupted run); here each
 * caller unpacks into its own directory and renames it into place, so the cache is always whole.
 */
async function unpackBundledChromium(): Promise<string> {
  const packageRoot = path.resolve(
    path.dirname(require.resolve('@sparticuz/chromium')),
    '..',
    '..',
  );
  const { version } = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as {
    version: string;
  };
  const cache = path.resolve(packageRoot, '..', '..', '.cache');
  const dir = path.join(cache, `sparticuz-chromium-${version}`);
  if (isExecutableFile(path.join(dir, 'chromium'))) return dir;

  const bin = path.join(packageRoot, 'bin');
  const partial = `${dir}.partial-${randomBytes(6).toString('hex')}`;
  mkdirSync(path.join(partial, 'fonts'), { recursive: true });
  mkdirSync(path.join(partial, 'al2023'), { recursive: true });
  try {
    await Promise.all([
      pipeline(
        createReadStream(path.join(bin, 'chromium.br')),
        createBrotliDecompress(),
        createWriteStream(path.join(partial, 'chromium'), { mode: 0o755 }),
      ),
      // SwiftShader's GL libraries sit beside the binary, where Chromium looks for them.
      untar(path.join(bin, 'swiftshader.tar.br'), partial),
      untar(path.join(bin, 'fonts.tar.br'), path.join(partial, 'fonts')),
      untar(path.join(bin, 'al2023.tar.br'), path.join(partial, 'al2023')),
    ]);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
  // The package's fonts.conf names /tmp/fonts; this one names where the fonts are here.
  writeFileSync(
    path.join(partial, 'fonts.conf'),
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${path.join(dir, 'fonts')}</dir>\n  <cachedir>${path.join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
  );
  try {
    renameSync(partial, dir);
  } catch (error) {
    // Another worker got there first with the same files.
    rmSync(partial, { recursive: true, force: true });
    if (!isExecutableFile(path.join(dir, 'chromium'))) throw error;
  }
  return dir;
}

/** Brotli-compressed tar into `target`, through the system's tar (present on every Linux). */
async function untar(archive: string, target: string): Promise<void> {
  // Through a file, not a pipe: tar stops reading at the end-of-archive record and would close
  // the pipe under the rest of the stream.
  const tarball = path.join(target, path.basename(archive, '.br'));
  await pipeline(createReadStream(archive), createBrotliDecompress(), createWriteStream(tarball));
  await promisify(execFile)('tar', ['-x', '--no-same-owner', '-f', tarball, '-C', target]);
  rmSync(tarball);
}
