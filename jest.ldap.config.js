// The LDAP / Active Directory e2e tests (test/ldap): they need Debian's slapd and ldap-utils,
// which `npm test` on a machine with only Node does not have, so they are a Jest run of their
// own: `npm run test:ldap`, run by .ci/run after installing slapd (scripts/ci-slapd.sh).
const base = require('./jest.config.js');

const e2e = base.projects.find((project) => project.displayName === 'e2e');

module.exports = {
  testTimeout: base.testTimeout,
  projects: [{ ...e2e, displayName: 'ldap', testMatch: ['<rootDir>/test/ldap/**/*.ldap-spec.ts'] }],
};
