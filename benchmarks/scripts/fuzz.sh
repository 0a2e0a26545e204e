#!/usr/bin/env bash
# Fuzzes every Jazzer fuzz test of the project in turn (JAZZER_FUZZ=1): each stops after its
# @FuzzTest(maxExecutions) inputs or 120 s, whichever comes first, so a run is short and repeatable
# enough for CI. A finding fails the script: Jazzer writes the input to
# <module>/src/test/resources/<package>/<Class>Inputs/<method>/crash-*, where it then stays as a
# regression test (commit it with the fix). New coverage-increasing inputs go to <module>/.cifuzz-corpus
# (ignored by git); copy the useful ones next to the committed corpus to keep them.
# A longer run: raise maxExecutions/maxDuration on the annotation, or fuzz one target by hand:
#   JAZZER_FUZZ=1 mvn -pl transforms -am test -Dtest='InputsFuzzTest#imageHeader' -Dsurefire.failIfNoSpecifiedTests=false
set -euo pipefail
cd "$(dirname "$0")/../.."
targets=(
  "proto ShardFuzzTest#tfRecordReader"
  "proto ShardFuzzTest#imageRecordParse"
  "proto ShardFuzzTest#datasetJson"
  "transforms InputsFuzzTest#imageHeader"
  "transforms InputsFuzzTest#jpegScans"
  "transforms InputsFuzzTest#csvManifestLine"
  "transforms InputsFuzzTest#jsonlManifestLine"
  "trainer WeightsFuzzTest#safetensors"
)
for t in "${targets[@]}"; do
  read -r module test <<<"$t"
  echo "fuzzing $test ($module)"
  start=$(date +%s)
  JAZZER_FUZZ=1 mvn -B -q ${MVN_OFFLINE:-} -pl "$module" -am test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
    > "target-fuzz-$test.log" 2>&1 || { echo "FINDING in $test: see target-fuzz-$test.log"; tail -40 "target-fuzz-$test.log"; exit 1; }
  grep -E "DONE" "target-fuzz-$test.log" | tail -1 | sed "s/^/  /" || true
  echo "  $(( $(date +%s) - start )) s"
  rm -f "target-fuzz-$test.log"
done
echo "no findings"
