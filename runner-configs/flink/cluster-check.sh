#!/usr/bin/env bash
# The preprocess pipeline on a real multi-process Flink session cluster (1 JobManager, 2 TaskManagers,
# parallelism 2), checked against the DirectRunner, then again while one TaskManager is killed mid-job.
#
#   runner-configs/flink/cluster-check.sh [images]      (default 3000; CI runs it from .ci/run)
#
# 1. generate a synthetic dataset with one bad input of each kind; preprocess it on the DirectRunner
# 2. start the cluster; preprocess the same manifest on it; `labelbeam check --same-as`: every record
#    byte for byte per id, the same dead letters, counts that add up
# 3. failover: submit again, kill -9 one TaskManager while the job runs, start a replacement; the job
#    restarts (the cluster's fixed-delay restart strategy) and must still end complete, duplicate-free and
#    identical to the DirectRunner's output; the JobManager must report the lost TaskManager
# 4. evaluate: a small model trained on the DirectRunner's shards scores the val split on the cluster;
#    metrics.json must equal the DirectRunner's byte for byte
# 5. the demo (preprocess -> train -> evaluate in one pipeline) as one job on the cluster
# 6. stop the cluster (removing its temp and blob folders); print wall times and peak memory
# Needs: the runnable jar and the cluster class path (mvn package) and the bundled jar (mvn -Pcluster
# -DskipTests package -pl pipelines -am); builds what is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
IMAGES="${1:-3000}"
CLUSTER=runner-configs/flink/cluster.sh
REST="http://127.0.0.1:8081"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/labelbeam-cluster-check.XXXXXX")"
export LABELBEAM_FLINK_WORKDIR="$WORK/cluster"
LB=(java -Xmx2g -jar pipelines/target/labelbeam.jar)
PRE=(preprocess --manifest "$WORK/data/manifest.csv" --resize shorter:64 --train-shards 4 --val-shards 2)

cleanup() {
  "$CLUSTER" stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "cluster-check: FAILED: $*" >&2; tail -n 30 "$WORK"/cluster/log/jobmanager.log >&2 || true; exit 1; }
quiet() { grep -vE "exceeded the 80 characters|fasterCopy|^\s*$" || true; }

[ -f pipelines/target/labelbeam.jar ] || mvn -q -B -DskipTests package
[ -f pipelines/target/labelbeam-bundled.jar ] || mvn -q -B -Pcluster -DskipTests package -pl pipelines -am
[ -d runner-configs/flink/target/lib ] || mvn -q -B -f runner-configs/flink/pom.xml package

"${LB[@]}" generate --output "$WORK/data" --images "$IMAGES" --size 256 --bad-inputs

t0=$SECONDS
"${LB[@]}" "${PRE[@]}" --output "$WORK/direct" --runner=DirectRunner 2>&1 | quiet
direct_s=$((SECONDS - t0))

t0=$SECONDS
"$CLUSTER" start 2
start_s=$((SECONDS - t0))

t0=$SECONDS
"${LB[@]}" "${PRE[@]}" --output "$WORK/flink" @runner-configs/flink-cluster.args 2>&1 | quiet
job_s=$((SECONDS - t0))
"${LB[@]}" check --dataset "$WORK/flink" --same-as "$WORK/direct" || fail "cluster output differs from DirectRunner's"

# failover: the client blocks until the job ends, so it runs in the background while we kill a TaskManager
t0=$SECONDS
"${LB[@]}" "${PRE[@]}" --output "$WORK/failover" @runner-configs/flink-cluster.args > "$WORK/failover.out" 2>&1 &
client=$!
jid=""
deadline=$((SECONDS + 120))
while [ -z "$jid" ] && [ $SECONDS -lt $deadline ]; do
  jid="$(curl -sf "$REST/jobs/overview" | grep -o '"jid":"[0-9a-f]*"[^}]*"state":"RUNNING"' | sed -n 1p \
    | sed 's/^"jid":"\([0-9a-f]*\)".*/\1/')" || true
  kill -0 "$client" 2>/dev/null || break
  [ -n "$jid" ] || sleep 0.5
done
[ -n "$jid" ] || { cat "$WORK/failover.out" >&2; fail "the failover job never reached RUNNING"; }
sleep "${KILL_AFTER_S:-4}"   # mid-job: the job runs for well over this on 2 cores
curl -sf "$REST/jobs/$jid" | grep -q '"state":"RUNNING"' || fail "the job ended before the TaskManager was killed; use more images"
"$CLUSTER" peak-memory | grep taskmanager-1 || true
"$CLUSTER" kill-taskmanager 1
"$CLUSTER" add-taskmanager
wait "$client" || { quiet < "$WORK/failover.out" >&2; fail "the failover job did not finish"; }
failover_s=$((SECONDS - t0))
quiet < "$WORK/failover.out"
exceptions="$(curl -sf "$REST/jobs/$jid/exceptions")"
echo "$exceptions" | grep -q '"exceptionHistory":{"entries":\[{' || fail "no failure recorded: the kill did not hit the job"
echo "job $jid recovered from: $(echo "$exceptions" | grep -o '"exceptionName":"[^"]*"' | sed -n 1p)"
"${LB[@]}" check --dataset "$WORK/failover" --same-as "$WORK/direct" || fail "failover output differs from DirectRunner's"

# evaluate on the cluster (LibTorch inside the TaskManagers) against the same on the DirectRunner
"${LB[@]}" train --shards "$WORK/direct" --output "$WORK/model" --epochs 1 --no-validate --torch-threads 1 \
  --loader-threads 1 --image-size 48 2>&1 | tail -n 1
"${LB[@]}" evaluate --shards "$WORK/direct" --model "$WORK/model" --output "$WORK/eval-direct" 2>&1 | quiet | tail -n 2
t0=$SECONDS
"${LB[@]}" evaluate --shards "$WORK/direct" --model "$WORK/model" --output "$WORK/eval-flink" \
  @runner-configs/flink-cluster.args 2>&1 | quiet | tail -n 2
eval_s=$((SECONDS - t0))
cmp "$WORK/eval-direct/metrics.json" "$WORK/eval-flink/metrics.json" || fail "evaluation metrics differ between runners"
echo "evaluate: metrics.json identical on the cluster and the DirectRunner"

# the whole demo as one job on the cluster: preprocess -> TrainModel (worker processes started from a
# TaskManager, with the job jar) -> evaluate; it fails when macro-AUC on val is below 0.9
t0=$SECONDS
"${LB[@]}" demo --workdir "$WORK/demo" @runner-configs/flink-cluster.args 2>&1 | quiet | tail -n 2
demo_s=$((SECONDS - t0))

echo "peak memory (resident, per process still running):"
"$CLUSTER" peak-memory
"$CLUSTER" stop
[ ! -d "$WORK/cluster/tmp" ] && [ ! -d "$WORK/cluster/blob" ] || fail "temp or blob folder left behind"
echo "cluster-check passed: $IMAGES images; DirectRunner ${direct_s} s, cluster start ${start_s} s," \
  "cluster job ${job_s} s, failover job ${failover_s} s, evaluate job ${eval_s} s, demo job ${demo_s} s (wall, including the client's jar upload)"
