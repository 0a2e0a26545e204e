#!/usr/bin/env bash
# The hot paths of a change, before and after, side by side on the same inputs: builds the runnable jar of
# REF (default: the previous commit) in a temporary worktree and of the working tree, then times each
# command ROUNDS times (default 3), the two jars interleaved: preprocess 3,000 demo images (embedded Flink),
# 2 epochs of training on them, evaluate --predictions of 20,000 x 200 scores (binned, embedded Flink).
#   benchmarks/scripts/before-after.sh [REF] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
REF=${1:-HEAD~1}
ROUNDS=${2:-3}
TMP=$(mktemp -d)
trap 'git worktree remove --force "$TMP/old" >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT
git worktree add -f "$TMP/old" "$REF" >/dev/null
(cd "$TMP/old" && mvn -B -q -DskipTests package >/dev/null)
mvn -B -q -DskipTests package -pl pipelines -am >/dev/null
OLD="$TMP/old/pipelines/target/labelbeam.jar"
NEW="$PWD/pipelines/target/labelbeam.jar"
java -jar "$NEW" generate --output "$TMP/gen" --images 3000 >/dev/null 2>&1
python3 - "$TMP" <<'PY'
import json, random, sys
random.seed(1)
labels = [f"c{i}" for i in range(200)]
open(f"{sys.argv[1]}/labels.txt", "w").write("\n".join(labels) + "\n")
with open(f"{sys.argv[1]}/preds.jsonl", "w") as f:
    for i in range(20000):
        f.write(json.dumps({"id": f"x{i}", "labels": [l for l in labels if random.random() < 0.05],
                            "scores": [round(random.random(), 6) for _ in labels]}) + "\n")
PY
seconds() { local s e; s=$(date +%s.%N); "$@" >"$TMP/last.log" 2>&1 || { tail -5 "$TMP/last.log"; exit 1; }; e=$(date +%s.%N); echo "$e - $s" | bc; }
for r in $(seq "$ROUNDS"); do
  for v in before after; do
    J=$([ $v = before ] && echo "$OLD" || echo "$NEW")
    rm -rf "$TMP/$v-pp" "$TMP/$v-m" "$TMP/$v-ev"
    pp=$(seconds java -Xmx4g -jar "$J" preprocess --manifest "$TMP/gen/manifest.csv" --output "$TMP/$v-pp" --resize shorter:48)
    tr=$(seconds java -Xmx4g -jar "$J" train --shards "$TMP/$v-pp" --output "$TMP/$v-m" --epochs 2 --device cpu)
    ev=$(seconds java -Xmx4g -jar "$J" evaluate --predictions "$TMP/preds.jsonl" --labels "$TMP/labels.txt" --output "$TMP/$v-ev")
    printf "round %d %-6s preprocess %6.1f s  train %6.1f s  evaluate --predictions %6.1f s\n" "$r" "$v" "$pp" "$tr" "$ev"
  done
done
