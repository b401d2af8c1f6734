#!/usr/bin/env bash
# The browser e2e test (test/e2e/browser) drives Debian's Chromium with playwright-core where
# it is installed, else the Chromium bundled in @sparticuz/chromium (test/e2e/browser/chromium.ts).
# CI installs the system one so both are exercised: `npm test` on it, then .ci/run hides it and
# runs the browser test again on the bundled one. Called by .ci/run.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
  exit 0
fi
echo "installing chromium for the browser test"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
/usr/bin/chromium --version
