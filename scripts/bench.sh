#!/usr/bin/env bash
# Benchmarks (simulators/src/bench): builds, then runs one. They start citypulse themselves as a
# child process against the local stack (npm run stack -- up), so nothing else needs to be running.
#
#   npm run bench -- ingest [--devices 100] [--duration 30] [--batch 10] [--profile] ...
#   npm run bench -- ingest --help
#
# Figures are printed and written as JSON to .bench/ (git-ignored).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "== building" >&2
npm run --silent build >&2

# exec: Ctrl-C reaches the bench directly, which stops the processes it started.
exec node --enable-source-maps dist/simulators/src/bench/main.js "$@"
