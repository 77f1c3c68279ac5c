#!/usr/bin/env bash
# The local stack: Redis, InfluxDB 1.x and VictoriaMetrics from Debian's packages, started by this
# script itself (no systemd or init scripts, which may not exist) on project ports, bound to
# 127.0.0.1, with data, logs and pid files under the git-ignored .stack/ folder.
#
#   npm run stack -- up|down|status|restart [redis|redis-cluster|influxdb|victoria-metrics ...]
#   bash scripts/stack.sh up influxdb
#
# Ports (environment): CP_STACK_REDIS_PORT=16379, CP_STACK_INFLUX_PORT=18086 (RPC:
# CP_STACK_INFLUX_RPC_PORT=18088), CP_STACK_VM_PORT=18428; CP_STACK_START_TIMEOUT_S=60;
# the Redis Cluster's three nodes: CP_STACK_REDIS_CLUSTER_PORTS=17001,17002,17003
# (scripts/stack-redis-cluster.sh).
#
# Only processes whose pid is in .stack/pids are ever stopped. A port that already answers as the
# right server but was not started here (another engineer's stack) is used as it is, never touched.
#
# Exit codes: 0 done / every service answers; 1 a service failed to start or stop; 2 usage;
# 3 (status) some service does not answer; 4 packages missing and not root (the command is printed).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd -P)

STACK_DIR=$ROOT/.stack
LOG_DIR=$STACK_DIR/logs
PID_DIR=$STACK_DIR/pids
INFLUX_CONF=$STACK_DIR/influxdb.conf

REDIS_PORT=${CP_STACK_REDIS_PORT:-16379}
INFLUX_PORT=${CP_STACK_INFLUX_PORT:-18086}
INFLUX_RPC_PORT=${CP_STACK_INFLUX_RPC_PORT:-18088}
INFLUX_DB=citypulse
VM_PORT=${CP_STACK_VM_PORT:-18428}
START_TIMEOUT_S=${CP_STACK_START_TIMEOUT_S:-60}
STOP_TIMEOUT_S=10

ALL_SERVICES=(redis redis-cluster influxdb victoria-metrics)
# Debian package → one program it installs. mosquitto is installed, not run: a benchmark peer.
REQUIRED_PACKAGES=(
  redis-server:redis-server
  redis-tools:redis-cli
  influxdb:influxd
  victoria-metrics:victoria-metrics
  mosquitto:mosquitto
  mosquitto-clients:mosquitto_pub
  curl:curl
)
# More package:program pairs a caller needs besides the servers, space-separated (npm test adds
# Debian's chromium for the console's browser tests; npm start does not need it).
read -r -a EXTRA_PACKAGES <<<"${CP_STACK_EXTRA_PACKAGES:-}"
REQUIRED_PACKAGES+=("${EXTRA_PACKAGES[@]}")

# shellcheck source=scripts/stack-redis-cluster.sh
source "$ROOT/scripts/stack-redis-cluster.sh"

log() { printf '%s\n' "$*"; }
die() { local code=$1; shift; printf 'stack: %s\n' "$*" >&2; exit "$code"; }

usage() {
  cat >&2 <<'EOF'
usage: scripts/stack.sh up|down|status|restart [redis|redis-cluster|influxdb|victoria-metrics ...]
  up       install missing Debian packages, start the servers, create the InfluxDB database
  down     stop the servers this script started (pids in .stack/pids); others are left alone
  status   service, port, pid and whether it answers (exit 3 if one does not)
  restart  down, then up
EOF
  exit 2
}

# ---------------------------------------------------------------------------------------------
# Packages

have_program() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }

missing_packages() {
  local entry
  for entry in "${REQUIRED_PACKAGES[@]}"; do
    have_program "${entry#*:}" || printf '%s\n' "${entry%%:*}"
  done
}

ensure_packages() {
  local missing=()
  mapfile -t missing < <(missing_packages)
  [ ${#missing[@]} -eq 0 ] && return 0
  local install="DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then
    log "stack: missing Debian packages: ${missing[*]}" >&2
    log "run:   sudo apt-get update && sudo $install" >&2
    exit 4
  fi
  log "== installing Debian packages: ${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# ---------------------------------------------------------------------------------------------
# Per-service facts

service_port() {
  case $1 in
    redis) echo "$REDIS_PORT" ;;
    influxdb) echo "$INFLUX_PORT" ;;
    victoria-metrics) echo "$VM_PORT" ;;
  esac
}

service_program() {
  case $1 in
    redis) echo redis-server ;;
    influxdb) echo influxd ;;
    victoria-metrics) echo victoria-metrics ;;
  esac
}

service_url() {
  case $1 in
    redis) echo "redis://127.0.0.1:$REDIS_PORT" ;;
    redis-cluster) echo "CP_REDIS_CLUSTER_NODES=$(cluster_nodes_list)" ;;
    influxdb) echo "http://127.0.0.1:$INFLUX_PORT (db $INFLUX_DB)" ;;
    victoria-metrics) echo "http://127.0.0.1:$VM_PORT" ;;
  esac
}

pid_file() { echo "$PID_DIR/$1.pid"; }
log_file() { echo "$LOG_DIR/$1.log"; }
rel() { echo "${1#"$ROOT"/}"; }

# Fills the global array ARGV with the server's command line.
service_argv() {
  case $1 in
    redis)
      ARGV=(redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$STACK_DIR/redis"
        --appendonly yes --appendfsync everysec --save '' --daemonize no
        --logfile "$(log_file redis)") ;;
    influxdb)
      ARGV=(influxd run -config "$INFLUX_CONF") ;;
    victoria-metrics)
      # latencyOffset=0s: the default 30s hides points written in the last 30 s from queries,
      # which read-back tests would trip over. dedup 1ms: like InfluxDB, a point written twice
      # (same series and time) is one point, which the idempotent-retry promise relies on.
      ARGV=(victoria-metrics -storageDataPath="$STACK_DIR/victoria-metrics" -retentionPeriod=100y
        -httpListenAddr="127.0.0.1:$VM_PORT" -search.latencyOffset=0s -dedup.minScrapeInterval=1ms) ;;
  esac
}

# Does the port answer as this service? Each check is bounded so a stray listener cannot hang us.
probe() {
  local port=$2
  case $1 in
    redis)
      [ "$(timeout 2 redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ] ;;
    influxdb)
      # VictoriaMetrics answers /ping with 204 too; only InfluxDB sends its version header there.
      local headers
      headers=$(curl -sS -m 2 -o /dev/null -D - "http://127.0.0.1:$port/ping" 2>/dev/null) || return 1
      [[ $headers == HTTP/*' 204'* && ${headers,,} == *$'\nx-influxdb-version:'* ]] ;;
    victoria-metrics)
      [ "$(curl -sS -m 2 "http://127.0.0.1:$port/health" 2>/dev/null)" = OK ] ;;
  esac
}

# Is anything at all listening on the port?
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------------------------------------
# Pids

process_alive() {
  local pid=$1 state
  [ -r "/proc/$pid/stat" ] || return 1
  state=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] && [ "$state" != X ]
}

# A pid file holds "PID PORT". Sets OUR_PID and OUR_PORT when the service's server that this
# script started is alive; a stale pid file (dead process, or the pid now reused by another
# program) is removed.
read_ours() {
  local file pid port comm program
  file=$(pid_file "$1")
  OUR_PID='' OUR_PORT=''
  [ -s "$file" ] || return 1
  read -r pid port < "$file" || true
  program=$(service_program "$1")
  comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
  # /proc/PID/comm keeps only the first 15 characters ("victoria-metric").
  if [[ $pid =~ ^[0-9]+$ ]] && process_alive "$pid" && [ "$comm" = "${program:0:15}" ]; then
    OUR_PID=$pid OUR_PORT=${port:-$(service_port "$1")}
    return 0
  fi
  rm -f "$file"
  return 1
}

# ---------------------------------------------------------------------------------------------
# Starting

write_influx_conf() {
  local dir=$STACK_DIR/influxdb
  mkdir -p "$dir/meta" "$dir/data" "$dir/wal"
  cat > "$INFLUX_CONF" <<EOF
# Generated by scripts/stack.sh on every start: edit the script, not this file.
# Debian's 1.6.7 renamed upstream's reporting-disabled to reporting-enabled; both are set.
reporting-disabled = true
reporting-enabled = false
bind-address = "127.0.0.1:$INFLUX_RPC_PORT"

[meta]
  dir = "$dir/meta"
  logging-enabled = false

[data]
  dir = "$dir/data"
  wal-dir = "$dir/wal"
  query-log-enabled = false
  cache-max-memory-size = 2147483648
  # 0 = unlimited, so large tests and benchmarks are never refused for cardinality.
  max-series-per-database = 0
  max-values-per-tag = 0

[monitor]
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:$INFLUX_PORT"
  auth-enabled = false
  # One log line per request would grow the log by gigabytes in a benchmark.
  log-enabled = false
  suppress-write-log = true

[continuous_queries]
  log-enabled = false

[logging]
  level = "info"
  suppress-logo = true
EOF
}

prepare_service() {
  case $1 in
    redis) mkdir -p "$STACK_DIR/redis" ;;
    influxdb) write_influx_conf ;;
    victoria-metrics) mkdir -p "$STACK_DIR/victoria-metrics" ;;
  esac
}

# Starts the server detached from this shell (own session, stdin/stdout/stderr away from the
# caller, lock fd closed) so it outlives the script and never holds a caller's pipe open.
launch() {
  local service=$1 port=$2 log pid
  service_argv "$service"
  log=$(log_file "$service")
  printf '\n== %s starting: %s\n' "$(date -u +%FT%TZ)" "${ARGV[*]}" >> "$log"
  # setsid execs in place here (a background job of a non-interactive shell is no group leader),
  # so $! is the server's own pid.
  setsid nohup "${ARGV[@]}" < /dev/null >> "$log" 2>&1 9>&- &
  pid=$!
  echo "$pid $port" > "$(pid_file "$service")"
  echo "$pid"
}

wait_ready() {
  local service=$1 pid=$2 port=$3 log deadline
  log=$(rel "$(log_file "$service")")
  deadline=$((SECONDS + START_TIMEOUT_S))
  until probe "$service" "$port"; do
    if ! process_alive "$pid"; then
      rm -f "$(pid_file "$service")"
      tail -n 20 "$ROOT/$log" >&2 || true
      die 1 "$service exited before answering on 127.0.0.1:$port; see $log"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 20 "$ROOT/$log" >&2 || true
      die 1 "$service (pid $pid) did not answer on 127.0.0.1:$port within ${START_TIMEOUT_S}s; see $log"
    fi
    sleep 0.2
  done
}

create_influx_database() {
  local answer
  answer=$(curl -sS -m 10 -XPOST "http://127.0.0.1:$INFLUX_PORT/query" \
    --data-urlencode "q=CREATE DATABASE \"$INFLUX_DB\"") \
    || die 1 "could not create InfluxDB database $INFLUX_DB: $answer"
  case $answer in
    *'"error"'*) die 1 "could not create InfluxDB database $INFLUX_DB: $answer" ;;
  esac
}

after_ready() {
  case $1 in
    influxdb) create_influx_database ;;
  esac
}

up_service() {
  local service=$1 port pid
  [ "$service" = redis-cluster ] && { up_redis_cluster; return; }
  port=$(service_port "$service")
  if read_ours "$service"; then
    [ "$OUR_PORT" = "$port" ] \
      || die 1 "$service: already running from .stack on port $OUR_PORT (pid $OUR_PID), not $port; run 'down $service' first"
    wait_ready "$service" "$OUR_PID" "$port"
    log "$service: already running (pid $OUR_PID, port $port)"
  elif probe "$service" "$port"; then
    log "$service: port $port already served by another process, using it"
  elif port_open "$port"; then
    die 1 "$service: port $port is taken by something that does not answer as $service; set CP_STACK_*_PORT or free it"
  else
    prepare_service "$service"
    pid=$(launch "$service" "$port")
    wait_ready "$service" "$pid" "$port"
    log "$service: started (pid $pid, port $port, log $(rel "$(log_file "$service")"))"
  fi
  after_ready "$service"
}

# ---------------------------------------------------------------------------------------------
# Stopping

stop_pid() {
  local service=$1 pid=$2 deadline
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT_S))
  while process_alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
  if process_alive "$pid"; then
    log "$service: still running ${STOP_TIMEOUT_S}s after SIGTERM, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  ! process_alive "$pid"
}

down_service() {
  local service=$1 port
  [ "$service" = redis-cluster ] && { down_redis_cluster; return; }
  port=$(service_port "$service")
  if read_ours "$service"; then
    stop_pid "$service" "$OUR_PID" || die 1 "$service: pid $OUR_PID would not stop"
    rm -f "$(pid_file "$service")"
    log "$service: stopped (pid $OUR_PID, port $OUR_PORT)"
  elif probe "$service" "$port"; then
    log "$service: port $port is served by another process, not started here: left alone"
  else
    log "$service: not running"
  fi
}

# ---------------------------------------------------------------------------------------------
# Status

status_service() {
  local service=$1 port owner answers
  [ "$service" = redis-cluster ] && { status_redis_cluster; return; }
  port=$(service_port "$service") owner=-
  if read_ours "$service"; then port=$OUR_PORT owner=$OUR_PID; fi
  if probe "$service" "$port"; then answers=yes; else answers=no; fi
  [ "$owner" = - ] && [ "$answers" = yes ] && owner=other
  printf '%-17s %-6s %-8s %s\n' "$service" "$port" "$owner" "$answers"
  [ "$answers" = yes ]
}

print_urls() {
  local service
  for service in "$@"; do log "  $service: $(service_url "$service")"; done
}

# ---------------------------------------------------------------------------------------------
# Commands

take_lock() {
  # Two engineers running "up" at once must not both start a server on the same port.
  exec 9> "$STACK_DIR/.lock"
  flock -w 300 9 || die 1 "another scripts/stack.sh has held .stack/.lock for 5 minutes"
}

cmd_up() {
  ensure_packages
  local service
  for service in "$@"; do up_service "$service"; done
  log "stack up:"
  print_urls "$@"
}

cmd_down() {
  local service
  for service in "$@"; do down_service "$service"; done
}

cmd_status() {
  local service failed=0
  printf '%-17s %-6s %-8s %s\n' SERVICE PORT PID ANSWERS
  for service in "$@"; do status_service "$service" || failed=1; done
  [ "$failed" = 0 ] || return 3
}

parse_services() {
  SERVICES=()
  local name
  [ $# -eq 0 ] && { SERVICES=("${ALL_SERVICES[@]}"); return; }
  for name in "$@"; do
    case $name in
      redis) SERVICES+=(redis) ;;
      redis-cluster) SERVICES+=(redis-cluster) ;;
      influxdb|influx) SERVICES+=(influxdb) ;;
      victoria-metrics|victoriametrics|vm) SERVICES+=(victoria-metrics) ;;
      *) log "stack: unknown service '$name' (redis, redis-cluster, influxdb, victoria-metrics)" >&2; usage ;;
    esac
  done
}

main() {
  [ $# -ge 1 ] || usage
  local command=$1; shift
  parse_services "$@"
  mkdir -p "$LOG_DIR" "$PID_DIR"
  case $command in
    up) take_lock; cmd_up "${SERVICES[@]}" ;;
    down) take_lock; cmd_down "${SERVICES[@]}" ;;
    restart) take_lock; cmd_down "${SERVICES[@]}"; cmd_up "${SERVICES[@]}" ;;
    status) cmd_status "${SERVICES[@]}" ;;
    -h|--help|help) usage ;;
    *) usage ;;
  esac
}

main "$@"
