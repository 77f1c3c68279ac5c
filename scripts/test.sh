#!/usr/bin/env bash
# The test command (README): lints and checks the formatting, brings up the real local stack,
# type-checks, checks for import cycles, builds, then runs every jest project (unit + integration)
# against the real servers.
set -euo pipefail
cd "$(dirname "$0")/.."

# The checks before jest use one core each, so on two cores they run as two lines at once: lint
# (the slowest: it builds a type-checked program of its own) beside format check, stack, typecheck,
# import cycles and build, which take about as long together. Either line failing fails npm test
# before jest starts. Lint's output is held and shown when it ends, so the two do not interleave.
lint_log=$(mktemp)
# In a session of its own, so that a failure on the other line, which exits here, ends lint and its
# children (npm does not pass the signal on to eslint).
setsid npm run --silent lint >"$lint_log" 2>&1 &
lint_pid=$!
trap 'kill -- "-$lint_pid" 2>/dev/null || true; rm -f "$lint_log"' EXIT

echo "== format"
npm run --silent format:check
# chromium: the operator console's browser tests drive Debian's Chromium (playwright-core).
CP_STACK_EXTRA_PACKAGES="chromium:chromium" bash scripts/stack.sh up
echo "== typecheck"
npm run --silent typecheck
echo "== import cycles"
npm run --silent check:cycles
echo "== build (fault tests run apps as real processes from dist/)"
# Without tsc's type check: the typecheck just above checked the same sources (tests included), and
# the emitted JavaScript is the same either way.
npm run --silent build -- --no-check
echo "== lint"
lint_status=0
wait "$lint_pid" || lint_status=$?
cat "$lint_log"
if [ "$lint_status" -ne 0 ]; then
  echo "== lint failed (exit $lint_status)" >&2
  exit "$lint_status"
fi

echo "== jest"
# Three workers on two cores: a suite spends much of its time waiting (on servers, child processes,
# keep-alives, leases, live runs), so with two workers the cores were a quarter idle; a third suite
# fills those waits. Measured quiet in one worktree, 2026-12-03: two workers
# 324 s and 331 s (machine ~75 % busy), three 257 s (90 %) and 269 s; 246 suites, 1,779 tests.
npm run --silent jest -- --ci --maxWorkers=3 "$@"
