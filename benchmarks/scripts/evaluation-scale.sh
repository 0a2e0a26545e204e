#!/usr/bin/env bash
# Evaluation at scale (issue 6): 11,000 classes x 200,000 synthetic examples through
# EvaluateMultiLabel.binned on an embedded Flink (parallelism 2) within a 4 GB heap. Prints wall time and peak heap.
#   benchmarks/scripts/evaluation-scale.sh [classes] [examples] [FlinkRunner|DirectRunner]
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -DskipTests install
CP="benchmarks/target/labelbeam-benchmarks.jar:$(cat benchmarks/target/classpath.txt)"
/usr/bin/time -v java -Xmx4g -XX:+UseParallelGC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
  dev.labelbeam.benchmarks.EvaluationScaleRun "${1:-11000}" "${2:-200000}" "${3:-FlinkRunner}" 2> >(grep -vE "^\s+(at |\.\.\.)|^\s*(Command|User|System|Percent|Average|Major|Minor|Voluntary|Involuntary|Swaps|File|Socket|Signals|Page|Exit)" >&2)
