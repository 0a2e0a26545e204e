#!/usr/bin/env bash
# `labelbeam evaluate --predictions` against scikit-learn on the same file (issue 14): a JSON Lines file of
# N examples x C classes of float64 scores, evaluated end to end (read, parse, per-class AUC, AP and F1 at 0.5,
# report) by the command as a user runs it (default embedded Flink), in binned and in exact mode, and by a
# Python script with scikit-learn (json parse, roc_auc_score / average_precision_score / f1_score with
# average=None). Prints scores/s for each and the ratios, and the largest per-class AUC and AP difference
# between our exact mode and scikit-learn (float64 scores compared as given: expected below 1e-12).
#   benchmarks/scripts/predictions-vs-sklearn.sh          # 1,000 classes x 20,000 examples
#   C=300 N=50000 benchmarks/scripts/predictions-vs-sklearn.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
C=${C:-1000}
N=${N:-20000}
source benchmarks/scripts/peers.sh
need_python_module sklearn python3-sklearn python3-numpy
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
/usr/bin/python3 - "$DIR" "$C" "$N" <<'PY'
import json, sys
import numpy as np
d, C, N = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(14)
with open(f"{d}/labels.txt", "w") as f:
    f.write("".join(f"class_{c:05d}\n" for c in range(C)))
prevalence = np.clip(rng.zipf(1.5, C) / 200.0, 0.001, 0.5)
with open(f"{d}/preds.jsonl", "w") as f:
    for i in range(N):
        y = rng.random(C) < prevalence
        s = 1 / (1 + np.exp(-(rng.normal(0, 1, C) + 1.5 * y - 2)))
        f.write(json.dumps({"id": f"img{i}", "labels": [f"class_{c:05d}" for c in np.flatnonzero(y)],
                            "scores": s.tolist()}) + "\n")
PY
./labelbeam --version > /dev/null  # builds the jar first, outside the timings
for mode in binned exact; do
  start=$(date +%s%N)
  ./labelbeam evaluate --predictions "$DIR/preds.jsonl" --labels "$DIR/labels.txt" --output "$DIR/$mode" --mode "$mode" \
    > "$DIR/$mode.out" 2>&1 || { tail -n 20 "$DIR/$mode.out"; exit 1; }
  echo "$mode=$(( ($(date +%s%N) - start) / 1000000 ))" >> "$DIR/times.txt"   # milliseconds
done
/usr/bin/python3 - "$DIR" "$C" "$N" <<'PY'
import csv, json, sys, time
import numpy as np
from sklearn.metrics import roc_auc_score, average_precision_score, f1_score
d, C, N = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
t0 = time.perf_counter()
names = [l.strip() for l in open(f"{d}/labels.txt")]
index = {n: i for i, n in enumerate(names)}
Y = np.zeros((N, C), dtype=bool)
S = np.zeros((N, C))
for i, line in enumerate(open(f"{d}/preds.jsonl")):
    o = json.loads(line)
    S[i] = o["scores"]
    Y[i, [index[l] for l in o["labels"]]] = True
t1 = time.perf_counter()
keep = (Y.sum(0) > 0) & (Y.sum(0) < N)
auc = roc_auc_score(Y[:, keep], S[:, keep], average=None)
ap = average_precision_score(Y[:, keep], S[:, keep], average=None)
f1 = f1_score(Y, S >= 0.5, average=None, zero_division=0)
t2 = time.perf_counter()
times = dict(l.strip().split("=") for l in open(f"{d}/times.txt"))
rows = {m["index"]: m for m in json.load(open(f"{d}/exact/metrics.json"))["perClass"]}  # full precision
kept = np.flatnonzero(keep)
dauc = max(abs(float(rows[c]["auc"]) - auc[k]) for k, c in enumerate(kept))
dap = max(abs(float(rows[c]["ap"]) - ap[k]) for k, c in enumerate(kept))
df1 = max(abs(float(rows[c]["f1"]) - f1[c]) for c in range(C))
precision = json.load(open(f"{d}/exact/metrics.json"))["scorePrecision"]
n = N * C
print(f"evaluate --predictions, {C} classes x {N} examples ({n / 1e6:.0f} M float64 scores, {sum(1 for _ in open(f'{d}/preds.jsonl'))} lines):")
print(f"  scikit-learn: {n / (t2 - t0) / 1e6:.2f} M scores/s end to end ({t1 - t0:.1f} s json + {t2 - t1:.1f} s metrics, one thread)")
for mode in ("binned", "exact"):
    w = float(times[mode]) / 1000
    print(f"  labelbeam {mode}: {n / w / 1e6:.2f} M scores/s end to end ({w:.1f} s with JVM and Flink start, all cores), "
          f"{(t2 - t0) / w:.2f}x scikit-learn")
print(f"  exact mode vs scikit-learn ({precision}): largest per-class |dAUC| {dauc:.2e}, |dAP| {dap:.2e}, |dF1| {df1:.2e}")
PY
