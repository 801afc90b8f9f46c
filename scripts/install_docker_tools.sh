#!/usr/bin/env bash
# Installs what `make deploy-test` needs from Debian's packages when it is missing: the Docker engine and its
# 20.10 client with BuildKit built in (docker.io), debootstrap for the base images, docker-compose 1.29
# (Compose v1; Debian has no v2), openssl for the test certificate and ss (iproute2) for the loopback check.
set -euo pipefail
missing=()
[ -x /usr/sbin/dockerd ] && [ -x /usr/bin/docker ] || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v openssl >/dev/null || missing+=(openssl)
command -v ss >/dev/null || missing+=(iproute2)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
"$(dirname "$0")/apt_install.sh" install_docker_tools.sh "${missing[@]}"
