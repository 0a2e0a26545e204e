#!/usr/bin/env bash
# Data-parallel scaling on this machine (issue 5): the same training with 1 worker and with
# 2 workers, one LibTorch thread and one loader thread each, same global batch (64 = 1 x 64 = 2 x 32).
# Prints images/s of the last epoch and the scaling efficiency (2-worker rate / (2 x 1-worker rate)).
#   benchmarks/scripts/data-parallel-scaling.sh [images] [arch]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-3000}
ARCH=${2:-small_cnn}
mvn -q -DskipTests install
CP="benchmarks/target/labelbeam-benchmarks.jar:$(cat benchmarks/target/classpath.txt)"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
M=$(java -cp "$CP" dev.labelbeam.benchmarks.SyntheticData "$TMP/data" "$N" 96)
./labelbeam preprocess --manifest "$M" --output "$TMP/shards" --resize shorter:48 --val-fraction 0 --train-shards 4 > /dev/null
rate() { grep -E "^epoch 3/3" | sed -E 's/.* ([0-9]+) images\/s.*/\1/'; }
R1=$(./labelbeam train --shards "$TMP/shards" --output "$TMP/m1" --arch "$ARCH" --epochs 3 --batch-size 64 --workers 1 \
  --torch-threads 1 --loader-threads 1 --no-validate --crop-scale-min 1 | rate)
R2=$(./labelbeam train --shards "$TMP/shards" --output "$TMP/m2" --arch "$ARCH" --epochs 3 --batch-size 32 --workers 2 \
  --torch-threads 1 --loader-threads 1 --no-validate --crop-scale-min 1 | rate)
/usr/bin/python3 -c "r1=$R1; r2=$R2; print(f'$ARCH, $N images of 48 px, global batch 64: 1 worker {r1} images/s, 2 workers {r2} images/s; speed-up {r2/r1:.2f}x, scaling efficiency {r2/(2*r1):.0%}')"
