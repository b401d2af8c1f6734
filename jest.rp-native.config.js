// Relying parties outside Node.js (test/e2e/relying-parties/*.native-spec.ts): they need system
// packages (Debian's python3-authlib and python3-flask), so `npm test` on a machine with only
// Node does not run them; `npm run test:rp-native` does, and .ci/run installs what they need.
const base = require('./jest.config.js');

const e2e = base.projects.find((project) => project.displayName === 'e2e');

module.exports = {
  testTimeout: base.testTimeout,
  projects: [
    {
      ...e2e,
      displayName: 'rp-native',
      testMatch: ['<rootDir>/test/e2e/relying-parties/**/*.native-spec.ts'],
    },
  ],
};
