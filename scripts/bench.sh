#!/usr/bin/env bash
# Benchmarks (simulators/src/bench): builds first when a source changed (only then), then runs one.
# They start citypulse themselves as a child process against the local stack (npm run stack -- up),
# so nothing else needs to be running.
#
#   npm run bench -- ingest [--devices 100] [--duration 30] [--batch 10] [--profile] ...
#   npm run bench -- ingest --help
#
# Figures are printed and written as JSON to .bench/ (git-ignored). The bench runs in the
# repository (its defaults, .bench/ and dist/, are there); paths given on the command line are
# the caller's (INIT_CWD, as npm sets it: main.ts resolves them against it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/built-dist.sh"
cd "$root"

# The connections bench holds one descriptor per device connection in the broker process (and in
# the holder processes): lift the soft open-file limit as far as this machine lets a process go.
# Raising the hard limit needs CAP_SYS_RESOURCE, which a container may not grant even to root;
# the bench reads the limit the broker really got and says so when it was what stopped the count.
ulimit -Hn "$(cat /proc/sys/fs/nr_open 2>/dev/null || echo 1048576)" 2>/dev/null || true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# exec: Ctrl-C reaches the bench directly, which stops the processes it started.
INIT_CWD=$caller exec node --enable-source-maps "$dist/simulators/src/bench/main.js" "$@"
