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

# a live process of this cluster: its command line names this work folder's config (so a pid that the
# system reused for another program after a crash is never ours); a zombie counts as dead
running() {
  kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null \
    && tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -qF -- "--configDir $WORK/conf"
}
alive() { [ -f "$1" ] && running "$(cat "$1")"; }

# launch NAME CLASS PARAMS_CMD [ARGS...]: starts one cluster process in the background, records its pid
launch() {
  local name="$1" cls="$2" params jvm dyn
  params="$(resource_params "$3")"
  jvm="$(printf '%s\n' "$params" | sed -n 1p)"
  dyn="$(printf '%s\n' "$params" | sed -n 2p) ${*:4}"
  # shellcheck disable=SC2086  # jvm and dyn are word lists by design
  nohup "$JAVA" $jvm "${JAVA17_OPTS[@]}" \
    -Dlog.file="$WORK/log/$name.log" -Dlog4j.configurationFile="file:$WORK/conf/log4j.properties" \
    -cp "$LIB/*" "$cls" --configDir "$WORK/conf" $dyn > "$WORK/log/$name.out" 2>&1 &
  echo $! > "$WORK/pids/$name.pid"
}

# waits until the JobManager lists each named TaskManager (their resource ids are their names)
wait_for_taskmanagers() {
  local deadline=$((SECONDS + 120)) listed name missing
  while [ $SECONDS -lt $deadline ]; do
    listed="$(curl -sf "$REST/taskmanagers" 2>/dev/null || true)"
    missing=""
    for name in "$@"; do
      case "$listed" in *"\"id\":\"$name\""*) ;; *) missing="$missing $name" ;; esac
    done
    [ -z "$missing" ] && return 0
    alive "$WORK/pids/jobmanager.pid" || die "the JobManager exited; see $WORK/log/jobmanager.log and .out"
    for name in $missing; do
      alive "$WORK/pids/$name.pid" || die "$name exited; see $WORK/log/$name.log and .out"
    done
    sleep 1
  done
  die "not registered within 120 s:$missing; see $WORK/log/"
}

next_tm() {
  local i=1
  while [ -f "$WORK/pids/taskmanager-$i.pid" ]; do i=$((i + 1)); done
  echo "$i"
}

# start_tm NAME: one TaskManager whose resource id (in the web UI and REST API) is NAME
start_tm() {
  launch "$1" org.apache.flink.runtime.taskexecutor.TaskManagerRunner GET_TM_RESOURCE_PARAMS \
    -D "taskmanager.resource-id=$1"
  echo "$1 (pid $(cat "$WORK/pids/$1.pid"))"
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
  local names=()
  for i in $(seq 1 "$n"); do names+=("taskmanager-$i"); start_tm "taskmanager-$i"; done
  wait_for_taskmanagers "${names[@]}"
  echo "cluster up: $n TaskManagers at $REST in $((SECONDS - t0)) s (work folder $WORK)"
}

cmd_add_taskmanager() {
  local name
  alive "$WORK/pids/jobmanager.pid" || die "no cluster running from $WORK"
  name="taskmanager-$(next_tm)"
  start_tm "$name"
  wait_for_taskmanagers "$name"
}

cmd_kill_taskmanager() {
  local f="$WORK/pids/taskmanager-${1:?which TaskManager (1, 2, ...)}.pid"
  local pid
  alive "$f" || die "taskmanager-$1 is not running"
  pid="$(cat "$f")"
  kill -9 "$pid"
  while running "$pid"; do sleep 0.1; done
  echo "killed taskmanager-$1 (pid $pid)"
}

peak_memory() {
  local f name pid hwm
  for f in "$WORK"/pids/*.pid; do
    [ -f "$f" ] || continue
    name="$(basename "$f" .pid)"
    pid="$(cat "$f")"
    if running "$pid" && hwm="$(grep VmHWM "/proc/$pid/status" 2>/dev/null)"; then
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
    if running "$pid"; then kill "$pid" 2>/dev/null || true; fi
  done
  deadline=$((SECONDS + 20))
  for f in "$WORK"/pids/*.pid; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    while running "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
    if running "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
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
  *) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
