# shellcheck shell=bash
# The local Redis Cluster of scripts/stack.sh (sourced by it, not run alone): three masters, no
# replicas, each its own redis-server in cluster mode on a project port, data and nodes-PORT.conf
# under .stack/redis-cluster/PORT, joined once by `redis-cli --cluster create`. A cluster already
# formed on those ports (ours or another engineer's) is reused; only pids in .stack/pids are stopped.
#
# Ports (environment): CP_STACK_REDIS_CLUSTER_PORTS=17001,17002,17003.
# Applications reach it with CP_REDIS_CLUSTER_NODES=127.0.0.1:17001,127.0.0.1:17002,127.0.0.1:17003.

IFS=, read -r -a CLUSTER_PORTS <<<"${CP_STACK_REDIS_CLUSTER_PORTS:-17001,17002,17003}"
CLUSTER_DIR=$STACK_DIR/redis-cluster

cluster_nodes_list() {
  local port list=()
  for port in "${CLUSTER_PORTS[@]}"; do list+=("127.0.0.1:$port"); done
  (IFS=,; echo "${list[*]}")
}

cluster_pid_file() { echo "$PID_DIR/redis-cluster-$1.pid"; }
cluster_log_file() { echo "$LOG_DIR/redis-cluster-$1.log"; }
cluster_info() { timeout 2 redis-cli -h 127.0.0.1 -p "$1" cluster info 2>/dev/null | tr -d '\r'; }
cluster_field() { cluster_info "$1" | sed -n "s/^$2://p"; }

# Sets OUR_PID when the node on PORT is a redis-server this script started; removes a stale pid file.
read_our_node() {
  local file pid comm
  file=$(cluster_pid_file "$1")
  OUR_PID=''
  [ -s "$file" ] || return 1
  read -r pid _ < "$file" || true
  comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
  if [[ $pid =~ ^[0-9]+$ ]] && process_alive "$pid" && [ "$comm" = redis-server ]; then
    OUR_PID=$pid
    return 0
  fi
  rm -f "$file"
  return 1
}

launch_node() {
  local port=$1 dir=$CLUSTER_DIR/$1 log pid
  mkdir -p "$dir"
  log=$(cluster_log_file "$port")
  printf '\n== %s starting redis-server cluster node on %s\n' "$(date -u +%FT%TZ)" "$port" >> "$log"
  setsid nohup redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize no \
    --cluster-enabled yes --cluster-config-file "nodes-$port.conf" --cluster-node-timeout 5000 \
    --appendonly yes --appendfsync everysec --save '' --logfile "$log" < /dev/null >> "$log" 2>&1 9>&- &
  pid=$!
  echo "$pid $port" > "$(cluster_pid_file "$port")"
  echo "$pid"
}

wait_node() {
  local port=$1 pid=$2 deadline=$((SECONDS + START_TIMEOUT_S))
  until probe redis "$port"; do
    if [ -n "$pid" ] && ! process_alive "$pid"; then
      rm -f "$(cluster_pid_file "$port")"
      tail -n 20 "$(cluster_log_file "$port")" >&2 || true
      die 1 "redis-cluster node $port exited before answering; see $(rel "$(cluster_log_file "$port")")"
    fi
    [ "$SECONDS" -lt "$deadline" ] || die 1 "redis-cluster node $port did not answer within ${START_TIMEOUT_S}s"
    sleep 0.2
  done
  cluster_info "$port" | grep -q '^cluster_state:' \
    || die 1 "redis-cluster: port $port answers as a Redis without cluster mode; set CP_STACK_REDIS_CLUSTER_PORTS or free it"
}

# Every node sees the whole cluster, every slot assigned and the state ok.
cluster_formed() {
  local port
  for port in "${CLUSTER_PORTS[@]}"; do
    [ "$(cluster_field "$port" cluster_state)" = ok ] || return 1
    [ "$(cluster_field "$port" cluster_known_nodes)" = "${#CLUSTER_PORTS[@]}" ] || return 1
  done
}

# Fresh nodes: each knows only itself and owns no slot.
cluster_blank() {
  local port
  for port in "${CLUSTER_PORTS[@]}"; do
    [ "$(cluster_field "$port" cluster_known_nodes)" = 1 ] || return 1
    [ "$(cluster_field "$port" cluster_slots_assigned)" = 0 ] || return 1
  done
}

up_redis_cluster() {
  local port pid started=()
  for port in "${CLUSTER_PORTS[@]}"; do
    if read_our_node "$port"; then
      wait_node "$port" "$OUR_PID"
    elif probe redis "$port"; then
      wait_node "$port" ''
    elif port_open "$port"; then
      die 1 "redis-cluster: port $port is taken by something that is not Redis; set CP_STACK_REDIS_CLUSTER_PORTS or free it"
    else
      pid=$(launch_node "$port")
      wait_node "$port" "$pid"
      started+=("$port:$pid")
    fi
  done
  if ! cluster_formed; then
    if cluster_blank; then
      local addresses=()
      for port in "${CLUSTER_PORTS[@]}"; do addresses+=("127.0.0.1:$port"); done
      redis-cli --cluster create "${addresses[@]}" --cluster-replicas 0 --cluster-yes >> "$(cluster_log_file "${CLUSTER_PORTS[0]}")" 2>&1 \
        || die 1 "redis-cli --cluster create failed; see $(rel "$(cluster_log_file "${CLUSTER_PORTS[0]}")")"
    fi
    local deadline=$((SECONDS + START_TIMEOUT_S))
    until cluster_formed; do
      [ "$SECONDS" -lt "$deadline" ] || die 1 "redis-cluster on ${CLUSTER_PORTS[*]} is not formed (cluster_state not ok on every node) after ${START_TIMEOUT_S}s; if its nodes.conf files are stale: npm run stack -- down redis-cluster && rm -rf .stack/redis-cluster"
      sleep 0.2
    done
  fi
  if [ ${#started[@]} -eq 0 ]; then log "redis-cluster: already running (ports ${CLUSTER_PORTS[*]})"
  else log "redis-cluster: started ${started[*]} (port:pid), cluster_state ok"; fi
}

down_redis_cluster() {
  local port stopped=()
  for port in "${CLUSTER_PORTS[@]}"; do
    if read_our_node "$port"; then
      stop_pid redis-cluster "$OUR_PID" || die 1 "redis-cluster node $port (pid $OUR_PID) would not stop"
      rm -f "$(cluster_pid_file "$port")"
      stopped+=("$port")
    fi
  done
  if [ ${#stopped[@]} -gt 0 ]; then log "redis-cluster: stopped nodes ${stopped[*]}"
  elif probe redis "${CLUSTER_PORTS[0]}"; then log "redis-cluster: served by another process, not started here: left alone"
  else log "redis-cluster: not running"; fi
}

status_redis_cluster() {
  local port owner pids=() answers=yes
  for port in "${CLUSTER_PORTS[@]}"; do
    if read_our_node "$port"; then pids+=("$OUR_PID"); else pids+=(other); fi
  done
  cluster_formed || answers=no
  owner=$(IFS=,; echo "${pids[*]}")
  printf '%-17s %-6s %-8s %s\n' redis-cluster "${CLUSTER_PORTS[0]}+" "$owner" "$answers"
  [ "$answers" = yes ]
}
