#!/usr/bin/env bash
# The LDAP e2e tests (test/ldap, `npm run test:ldap`) start Debian's slapd with a configuration
# they write, and load entries with slapadd (test/setup/slapd.ts). Called by .ci/run.
set -euo pipefail

if [ -x /usr/sbin/slapd ] && [ -x /usr/sbin/slapadd ]; then
  echo "slapd: $(/usr/sbin/slapd -VV 2>&1 | head -n 1)"
  exit 0
fi
echo "installing slapd and ldap-utils for the LDAP tests"
apt-get update -qq
# The package's own instance is not wanted: the tests run their own.
echo 'slapd slapd/no_configuration boolean true' | debconf-set-selections 2>/dev/null || true
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slapd ldap-utils
/usr/sbin/slapd -VV 2>&1 | head -n 1
