#!/usr/bin/env bash
# The console's browser suites, N times in a row, while the ingest bench loads the machine beside
# them (issue 16: "passes 20 times in a row while the machine is loaded"). A live console must
# never lose what an operator types nor hide an alert because the machine is busy; flaky waits
# show up here long before they show up in CI.
#
#   npm run test:console-soak -- [runs, default 20]
#
# Needs the local stack (npm run stack -- up). Prints one line per run and a summary; the figures
# are also written to .artifacts/console-soak.json. Exit status 1 if any run failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs=${1:-20}
mkdir -p .artifacts
log_dir=.artifacts/console-soak
rm -rf "$log_dir" && mkdir -p "$log_dir"

echo "== building (the ingest bench runs from dist/)" >&2
npm run --silent build >&2

# The load: the ingest bench (its own service process, 100 devices at full speed) over and over,
# in its own process group so it can be stopped as a whole.
stop_file=$log_dir/stop
set -m
(
  while [[ ! -e $stop_file ]]; do
    node --enable-source-maps dist/simulators/src/bench/main.js ingest --duration 30 --no-baselines >>"$log_dir/load.log" 2>&1 || true
  done
) &
load_pid=$!
set +m
stop_load() {
  touch "$stop_file"
  kill -TERM -- "-$load_pid" 2>/dev/null || true
  wait "$load_pid" 2>/dev/null || true
}
trap stop_load EXIT

passed=0
results=()
for ((i = 1; i <= runs; i++)); do
  started=$SECONDS
  if npm run --silent jest -- --ci apps/citypulse/test/console >"$log_dir/run-$i.log" 2>&1; then
    outcome=pass
    passed=$((passed + 1))
  else
    outcome=FAIL
  fi
  load=$(cut -d' ' -f1 /proc/loadavg)
  printf 'run %2d/%d: %s in %3ds, load average %s\n' "$i" "$runs" "$outcome" "$((SECONDS - started))" "$load"
  results+=("{\"run\":$i,\"outcome\":\"$outcome\",\"seconds\":$((SECONDS - started)),\"loadAverage\":$load}")
  # In a row: the first failure ends the soak (its log is kept).
  [[ $outcome == pass ]] || break
done

stop_load
trap - EXIT
benches=$(grep -c 'readings/s' "$log_dir/load.log" 2>/dev/null || true)
printf '{"runs":%d,"passed":%d,"results":[%s]}\n' "$runs" "$passed" "$(IFS=,; echo "${results[*]}")" >.artifacts/console-soak.json
echo "console suites: $passed of $runs runs passed in a row beside the ingest bench (load log: $log_dir/load.log, $benches lines of figures)"
[[ $passed -eq $runs ]]
