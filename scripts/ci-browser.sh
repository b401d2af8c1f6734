#!/usr/bin/env bash
# The browser e2e test (test/e2e/browser) drives Debian's Chromium with playwright-core:
# install it when it is missing. Called by .ci/run.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
  exit 0
fi
echo "installing chromium for the browser test"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
/usr/bin/chromium --version
