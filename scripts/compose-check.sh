#!/usr/bin/env bash
# Validates docker-compose.yml as Debian's docker-compose 1.29 reads it; needs no Docker engine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command -v docker-compose >/dev/null 2>&1 \
  || { echo "compose-check: docker-compose is not installed (apt-get install docker-compose)" >&2; exit 1; }
docker-compose -f docker-compose.yml config -q
echo "docker-compose.yml is valid"
