#!/usr/bin/env node
// The `uas-admin` bin (package.json). From a clone (after `npm ci`) it compiles the CLI's
// TypeScript on load with swc, so no build step is needed and the source is never stale; where
// only the build exists (the container, installed without devDependencies) it runs dist/.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');
const source = path.join(root, 'apps', 'cli', 'src', 'main.ts');

function loadFromSource() {
  const { transformSync } = require('@swc/core');
  const { swcOptions } = require(path.join(root, 'scripts', 'swc-options.cjs'));
  require.extensions['.ts'] = (module, filename) => {
    const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
      ...swcOptions(),
      filename,
      sourceMaps: 'inline',
      swcrc: false,
    });
    module._compile(code, filename);
  };
  return require(source);
}

function load() {
  if (fs.existsSync(source)) {
    try {
      return loadFromSource();
    } catch (error) {
      if (error.code !== 'MODULE_NOT_FOUND') throw error;
    }
  }
  return require(path.join(root, 'dist', 'apps', 'cli', 'src', 'main.js'));
}

load()
  .run(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
