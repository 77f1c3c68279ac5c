#!/usr/bin/env bash
# The test command (README): brings up the real local stack, type-checks, checks for import
# cycles, then runs every jest project (unit + integration) against the real servers.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: the operator console's browser tests drive Debian's Chromium (playwright-core).
CP_STACK_EXTRA_PACKAGES="chromium:chromium" bash scripts/stack.sh up
echo "== typecheck"
npm run --silent typecheck
echo "== import cycles"
npm run --silent check:cycles
echo "== build (fault tests run apps as real processes from dist/)"
npm run --silent build
echo "== jest"
npm run --silent jest -- --ci "$@"
