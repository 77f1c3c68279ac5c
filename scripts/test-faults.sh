#!/usr/bin/env bash
# The fault suite (npm run test:faults; CI runs it after npm test): kills and restarts real
# processes and servers under load (*.fault-test.ts, jest.faults.config.js), one test at a time.
# Prints a table of the outcomes and writes it as JSON under .artifacts/.
# FAULT_INFLUX_OUTAGE_S (default 60) sets how long InfluxDB stays down.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/stack.sh up
echo "== build (the faults run every app as a real process from dist/)"
npm run --silent build
echo "== fault suite"
npm run --silent jest -- --config jest.faults.config.js --runInBand --ci "$@"
