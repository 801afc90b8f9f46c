#!/usr/bin/env bash
# Installs Debian's Chromium for the headless browser tests (tests/web).
# Playwright's own browser download is never used: only Debian's package registry is reachable,
# and the tests drive /usr/bin/chromium through Playwright's Python client.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install_chromium.sh: /usr/bin/chromium is missing; run as root: apt-get install -y chromium" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
