#!/usr/bin/env bash
# The GPU check's dry run on this machine: prepare.sh --cpu, then every part staged as the device calls
# would stage it, then device-run.sh with DRY_RUN=1 (small sizes, CPU). Fails when summary.json lacks a part.
set -euo pipefail
cd "$(dirname "$0")/../.."
benchmarks/gpu/prepare.sh --cpu
export STAGE=$(mktemp -d) OUT=${OUT:-$PWD/target/gpu-dry-run}
rm -rf "$OUT"; mkdir -p "$OUT"
trap 'rm -rf "$STAGE"' EXIT
parts=(.carry/part*)
for ((i = 0; i < ${#parts[@]} - 1; i++)); do
  # what a device call carrying only this part sees: the repo plus .carry/partK
  ( tmp=$(mktemp -d); mkdir -p "$tmp/.carry"; cp -r "${parts[$i]}" "$tmp/.carry/"; cd "$tmp" \
    && bash "$OLDPWD/benchmarks/gpu/device-run.sh" stage >/dev/null; rm -rf "$tmp" )
done
tmp=$(mktemp -d); mkdir -p "$tmp/.carry"; cp -r "${parts[-1]}" "$tmp/.carry/"
ln -s "$PWD/benchmarks" "$tmp/benchmarks"
(cd "$tmp" && DRY_RUN=1 bash benchmarks/gpu/device-run.sh)
rm -rf "$tmp"
python3 - "$OUT/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["smoke"]["ok"], s["smoke"]
assert len(s["step_ours"]["losses"]) == 20 and s["step_ours"]["images_per_s"] > 0, s["step_ours"]
assert all(v.get("images_per_s_overall", 0) > 0 for v in s["loader"].values()), s["loader"]
assert s["score"]["scored"] > 0 and s["score"]["val_macro_auc"] is not None, s["score"]
assert s["peak_host_rss_mib"] > 0
print("dry run OK:", sys.argv[1])
PY
