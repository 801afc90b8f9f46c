#!/usr/bin/env bash
# Installs Debian's Chromium for the headless browser tests (tests/web).
# Playwright's own browser download is never used: only Debian's package registry is reachable,
# and the tests drive /usr/bin/chromium through Playwright's Python client.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
"$(dirname "$0")/apt_install.sh" install_chromium.sh chromium fonts-dejavu-core
/usr/bin/chromium --version
