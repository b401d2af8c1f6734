// Unit tests sit beside the code; e2e tests drive the real app over HTTP on PostgreSQL.
const { swcOptions } = require('./scripts/swc-options.cjs');

// NestJS 12, jose and the relying-party libraries ship ES modules only. Node 20 loads them
// with require(esm), but Jest's module runtime on Node 20 cannot, so swc compiles them to
// CommonJS for the test run (the server itself loads them natively).
const ESM_PACKAGES = [
  '@nestjs',
  'jose',
  'openid-client',
  'oauth4webapi',
  'file-type',
  'strtok3',
  'token-types',
  '@tokenizer',
  'uint8array-extras',
  'load-esm',
  'oidc-provider',
  'quick-lru',
  '@koa',
  'koa',
  'nanoid',
  'eta',
  'got',
  'jsesc',
  'destr',
  '@fastify',
  'content-disposition',
];

const jsOptions = {
  ...swcOptions(),
  jsc: {
    ...swcOptions().jsc,
    parser: { syntax: 'ecmascript', importAttributes: true },
    transform: {},
  },
  swcrc: false,
};

const shared = {
  testEnvironment: 'node',
  rootDir: __dirname,
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swcOptions(), swcrc: false }],
    '^.+\\.m?js$': ['@swc/jest', jsOptions],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  moduleNameMapper: { '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src' },
  setupFiles: ['<rootDir>/test/setup/reflect.ts'],
};

module.exports = {
  // A global option: Jest ignores it inside a project. E2E hooks start servers and databases.
  testTimeout: 60_000,
  // On two cores Jest runs every file in its main process (one worker or fewer means in band),
  // whose heap grew past 3.5 GB over the suite, until V8 spent most of its time in full
  // collections (the suite took three times as long, and timing-sensitive tests failed). With a
  // limit Jest runs the files in a worker instead, still one file at a time there, and starts a
  // fresh worker when a file leaves it above the limit.
  workerIdleMemoryLimit: '1GB',
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  ],
};
