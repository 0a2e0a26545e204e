#!/usr/bin/env bash
# A local Flink 1.19 session cluster (1 JobManager, N TaskManagers) from Maven artifacts, no flink-dist.
#
#   runner-configs/flink/cluster.sh start [N]        JobManager + N TaskManagers (default 2); waits until
#                                                    all N are registered; REST and web UI on 127.0.0.1:8081
#   runner-configs/flink/cluster.sh add-taskmanager  one more TaskManager (e.g. to replace a killed one)
#   runner-configs/flink/cluster.sh kill-taskmanager I   kill -9 TaskManager I (failover tests)
#   runner-configs/flink/cluster.sh status           registered TaskManagers, jobs, peak memory per process
#   runner-configs/flink/cluster.sh stop             ends the processes it started (and only those), then
#                                                    removes the cluster's temp and blob folders
#
# Jobs are submitted with runner-configs/flink-cluster.args (FlinkRunner, --flinkMaster=127.0.0.1:8081 and
# the self-contained jar built by `mvn -Pcluster -DskipTests package`).
# Environment: LABELBEAM_FLINK_WORKDIR (default runner-configs/flink/target/cluster) holds the effective
# config, pid files, logs, temp and blob folders; JAVA (default java).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="${LABELBEAM_FLINK_WORKDIR:-$HERE/target/cluster}"
LIB="$HERE/target/lib"
JAVA="${JAVA:-java}"
REST="http://127.0.0.1:8081"
# what Flink's own scripts pass on Java 17 (env.java.opts.all in Flink's default config)
JAVA17_OPTS=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

die() { echo "cluster.sh: $*" >&2; exit 1; }

ensure_lib() {
  if [ ! -d "$LIB" ] || [ -z "$(ls "$LIB" 2>/dev/null)" ]; then
    echo "cluster.sh: assembling the Flink class path from Maven ($LIB)" >&2
    (cd "$ROOT" && mvn -q -B -f runner-configs/flink/pom.xml package >&2)
  fi
}

# the effective config: conf/config.yaml plus this work folder's paths
write_config() {
  mkdir -p "$WORK/conf" "$WORK/pids" "$WORK/log" "$WORK/tmp" "$WORK/blob"
  cp "$HERE/conf/log4j.properties" "$WORK/conf/"
  {
    cat "$HERE/conf/config.yaml"
    echo "io.tmp.dirs: $WORK/tmp"
    echo "blob.storage.directory: $WORK/blob"
    echo "web.tmpdir: $WORK/tmp/web"
  } > "$WORK/conf/config.yaml"
}

# BashJavaUtils prints the memory flags Flink's scripts compute from the config (jvm flags, then -D args)
resource_params() {
  local out
  out="$("$JAVA" -cp "$LIB/*" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$WORK/conf" 2>&1)" \
    || die "BashJavaUtils $1 failed: $out"
  printf '%s\n' "$out" | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://'
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# launch NAME CLASS PARAMS_CMD: starts one cluster process in the background and records its pid
launch() {
  local name="$1" cls="$2" params jvm dyn
  params="$(resource_params "$3")"
  jvm="$(printf '%s\n' "$params" | sed -n 1p)"
  dyn="$(printf '%s\n' "$params" | sed -n 2p)"
  # shellcheck disable=SC2086  # jvm and dyn are word lists by design
  nohup "$JAVA" $jvm "${JAVA17_OPTS[@]}" \
    -Dlog.file="$WORK/log/$name.log" -Dlog4j.configurationFile="file:$WORK/conf/log4j.properties" \
    -cp "$LIB/*" "$cls" --configDir "$WORK/conf" $dyn > "$WORK/log/$name.out" 2>&1 &
  echo $! > "$WORK/pids/$name.pid"
}

registered_taskmanagers() {
  curl -sf "$REST/overview" 2>/dev/null | grep -o '"taskmanagers":[0-9]*' | cut -d: -f2 || true
}

wait_for_taskmanagers() {
  local want="$1" deadline=$((SECONDS + 120)) n
  while [ $SECONDS -lt $deadline ]; do
    n="$(registered_taskmanagers)"
    [ "${n:-0}" -ge "$want" ] && return 0
    alive "$WORK/pids/jobmanager.pid" || die "the JobManager exited; see $WORK/log/jobmanager.log and .out"
    sleep 1
  done
  die "only ${n:-0} of $want TaskManagers registered within 120 s; see $WORK/log/"
}

next_tm() {
  local i=1
  while [ -f "$WORK/pids/taskmanager-$i.pid" ]; do i=$((i + 1)); done
  echo "$i"
}

live_taskmanagers() {
  local n=0 f
  for f in "$WORK"/pids/taskmanager-*.pid; do alive "$f" && n=$((n + 1)); done
  echo "$n"
}

start_tm() {
  local i
  i="$(next_tm)"
  launch "taskmanager-$i" org.apache.flink.runtime.taskexecutor.TaskManagerRunner GET_TM_RESOURCE_PARAMS
  echo "taskmanager-$i (pid $(cat "$WORK/pids/taskmanager-$i.pid"))"
}

cmd_start() {
  local n="${1:-2}" t0=$SECONDS i
  ensure_lib
  if alive "$WORK/pids/jobmanager.pid"; then die "already running (pid files in $WORK/pids); stop it first"; fi
  if curl -sf "$REST/overview" >/dev/null 2>&1; then die "something else already answers on $REST"; fi
  rm -f "$WORK"/pids/*.pid
  write_config
  launch jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint GET_JM_RESOURCE_PARAMS
  echo "jobmanager (pid $(cat "$WORK/pids/jobmanager.pid"))"
  for i in $(seq 1 "$n"); do start_tm; done
  wait_for_taskmanagers "$n"
  echo "cluster up: $n TaskManagers at $REST in $((SECONDS - t0)) s (work folder $WORK)"
}

cmd_add_taskmanager() {
  alive "$WORK/pids/jobmanager.pid" || die "no cluster running from $WORK"
  start_tm
  wait_for_taskmanagers "$(live_taskmanagers)"
}

cmd_kill_taskmanager() {
  local f="$WORK/pids/taskmanager-${1:?which TaskManager (1, 2, ...)}.pid"
  alive "$f" || die "taskmanager-$1 is not running"
  kill -9 "$(cat "$f")"
  echo "killed taskmanager-$1 (pid $(cat "$f"))"
}

peak_memory() {
  local f name pid hwm
  for f in "$WORK"/pids/*.pid; do
    [ -f "$f" ] || continue
    name="$(basename "$f" .pid)"
    pid="$(cat "$f")"
    if hwm="$(grep VmHWM "/proc/$pid/status" 2>/dev/null)"; then
      echo "$name pid $pid peak RSS $(echo "$hwm" | awk '{printf "%.0f MB", $2 / 1024}')"
    else
      echo "$name pid $pid not running"
    fi
  done
}

cmd_status() {
  curl -sf "$REST/overview" || echo "no JobManager answers on $REST"
  echo
  peak_memory
}

cmd_stop() {
  local f pid deadline
  for f in "$WORK"/pids/*.pid; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  done
  deadline=$((SECONDS + 20))
  for f in "$WORK"/pids/*.pid; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    rm -f "$f"
  done
  rm -rf "$WORK/tmp" "$WORK/blob"
  echo "cluster stopped; logs kept in $WORK/log"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  add-taskmanager) cmd_add_taskmanager ;;
  kill-taskmanager) shift; cmd_kill_taskmanager "$@" ;;
  status) cmd_status ;;
  peak-memory) peak_memory ;;
  stop) cmd_stop ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
