#!/usr/bin/env bash
# The test command (README): lints and checks the formatting, brings up the real local stack,
# type-checks, checks for import cycles, then runs every jest project (unit + integration) against the real servers.
set -euo pipefail
cd "$(dirname "$0")/.."

# First: a lint or format error fails in about a minute, before the stack and the build.
echo "== lint"
npm run --silent lint
echo "== format"
npm run --silent format:check

# chromium: the operator console's browser tests drive Debian's Chromium (playwright-core).
CP_STACK_EXTRA_PACKAGES="chromium:chromium" bash scripts/stack.sh up
echo "== typecheck"
npm run --silent typecheck
echo "== import cycles"
npm run --silent check:cycles
echo "== build (fault tests run apps as real processes from dist/)"
npm run --silent build
echo "== jest"
# Two workers: most integration time is spent waiting on servers and child processes, so two
# suites at once roughly halve the wall time on two cores (8m51s against over 12 min with one).
npm run --silent jest -- --ci --maxWorkers=2 "$@"
