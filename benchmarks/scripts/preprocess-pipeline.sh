#!/usr/bin/env bash
# The whole preprocess pipeline (issue 3): images/s on an embedded Flink with parallelism 2 and the
# share of time outside decode/resize/encode; then a run in a 2 GB heap with a 20,000-pixel-wide
# image, a decompression-bomb header and a 1,000,000-row manifest.
#   benchmarks/scripts/preprocess-pipeline.sh [images]
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -DskipTests install
CP="benchmarks/target/labelbeam-benchmarks.jar:$(cat benchmarks/target/classpath.txt)"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
java -Xmx3g -cp "$CP" dev.labelbeam.benchmarks.PreprocessPipelineRun throughput "$TMP/t" "${1:-4000}" flink 2>&1 | grep -vE "WARN|exceeded the 80 characters"
java -Xmx2g -cp "$CP" dev.labelbeam.benchmarks.PreprocessPipelineRun heap "$TMP/h" 2>&1 | grep -vE "WARN|exceeded the 80 characters"
