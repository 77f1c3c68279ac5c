#!/usr/bin/env bash
# The main job (README): the local stack, citypulse (broker + ingest + alerts + api in one
# process) and a small simulated fleet. Ctrl-C stops the service and the fleet, and the stack
# servers if this script started them.
set -euo pipefail
cd "$(dirname "$0")/.."

stack_was_up=0
bash scripts/stack.sh status >/dev/null 2>&1 && stack_was_up=1
bash scripts/stack.sh up

# Builds only when a source changed; $dist is the build's real folder, so citypulse and the fleet
# keep running from it whatever is built meanwhile.
source scripts/lib/built-dist.sh

# An admin API token for this machine, generated once and kept in the ignored .stack folder.
token_file=.stack/api-token
if [ -z "${CP_API_TOKEN:-}" ]; then
  [ -s "$token_file" ] || node -e "process.stdout.write(require('node:crypto').randomBytes(24).toString('base64url'))" > "$token_file"
  CP_API_TOKEN=$(cat "$token_file")
fi
export CP_API_TOKEN
# The key that encrypts notification channels' secrets (SMTP passwords, chat webhook URLs) in Redis.
secrets_key_file=.stack/secrets-key
if [ -z "${CP_SECRETS_KEY:-}" ]; then
  [ -s "$secrets_key_file" ] || node -e "process.stdout.write(require('node:crypto').randomBytes(32).toString('hex'))" > "$secrets_key_file"
  CP_SECRETS_KEY=$(cat "$secrets_key_file")
fi
export CP_SECRETS_KEY
export CP_MQTT_PORT=${CP_MQTT_PORT:-11883} CP_HTTP_PORT=${CP_HTTP_PORT:-13000}
# The cluster scenario's indicators (simulators/src/cluster-demo.ts), computed every 5 s so its alert comes within a minute.
export CP_INDICATORS_FILE=${CP_INDICATORS_FILE-simulators/cluster/indicators.json} CP_INDICATOR_INTERVAL_MS=${CP_INDICATOR_INTERVAL_MS:-5000}

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "== stopping"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$stack_was_up" = 0 ]; then bash scripts/stack.sh down; else echo "stack left running (it was up before): npm run stack -- down"; fi
}
trap cleanup INT TERM EXIT

mkdir -p .stack/logs
echo "== starting citypulse (logs: .stack/logs/citypulse.log)"
# Production flags (why each: simulators/src/bench/common/production-node-args.ts, which the benches use).
node --enable-source-maps --max-semi-space-size=64 --no-allocation-site-pretenuring "$dist/apps/citypulse/src/main.js" >> .stack/logs/citypulse.log 2>&1 &
pids+=($!)

api="http://127.0.0.1:${CP_HTTP_PORT}"
for _ in $(seq 1 100); do
  curl -fsS "$api/health" >/dev/null 2>&1 && break
  kill -0 "${pids[0]}" 2>/dev/null || { echo "citypulse exited; see .stack/logs/citypulse.log"; tail -20 .stack/logs/citypulse.log; exit 1; }
  sleep 0.2
done

echo "== citypulse is up: console $api/console (token in $token_file or CP_API_TOKEN), API docs $api/docs"
echo "== starting the simulated fleet"
node --enable-source-maps "$dist/simulators/src/fleet-main.js" --api "$api" --mqtt "mqtt://127.0.0.1:${CP_MQTT_PORT}" &
pids+=($!)
wait "${pids[1]}"
