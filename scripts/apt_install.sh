#!/usr/bin/env bash
# apt_install.sh WHO PACKAGE...: installs Debian packages that a make step needs and that are missing.
# Only Debian's package registry is reachable here, so every system tool comes from it. Without root it only
# says which packages to install (WHO names the step that asked) and fails.
set -euo pipefail
who=$1
shift
if [ "$(id -u)" -ne 0 ]; then
  echo "$who: missing $*; run as root: apt-get install -y $*" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "$@" >/dev/null
echo "$who: installed $*"
