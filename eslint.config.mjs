// ESLint with typescript-eslint's type-checked rules (STYLE §9). typescript-eslint reads the
// TypeScript 6 API (`typescript`); `npm run typecheck` runs TypeScript 7 (`typescript-7`).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      // Saved builds a benchmark runs as its variant (bench/run.mjs, BENCH_VARIANT_MAIN).
      'dist-*/',
      'coverage/',
      'data/',
      'test-output/',
      'bench/results/',
      'bench/tmp/',
      'bench/profiles/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    rules: {
      // `_name` marks a value kept on purpose (a destructured member left out of a rest).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Methods of an async interface (client authentication, senders) may have nothing to await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
  },
  {
    // CommonJS on purpose: Jest's config and the swc options it shares with the build.
    files: ['**/*.cjs', 'jest.config.js', 'jest.ldap.config.js', 'jest.rp-native.config.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['libs/**/*.ts', 'apps/**/*.ts'],
    ignores: ['libs/config/**', '**/*.spec.ts', 'apps/server/src/main.ts'],
    rules: {
      // STYLE §5: configuration is read once, in @app/config; everything else injects AppConfig.
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Inject AppConfig (@app/config) instead.' },
      ],
    },
  },
  {
    // Tests read HTTP answers whose bodies are `any` by design (supertest), and hand jest mocks'
    // methods to `expect`: the unsafe-any and unbound-method rules there only add noise.
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
);
