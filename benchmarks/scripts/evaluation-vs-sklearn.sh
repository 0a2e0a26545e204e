#!/usr/bin/env bash
# Evaluation throughput against scikit-learn, side by side on the same arrays (issue 6):
# our per-class AUC + F1 (binned and exact mode, one thread) versus sklearn's per-class
# roc_auc_score and f1_score (Debian's python3-sklearn). Prints scores/s and the ratio.
#   benchmarks/scripts/evaluation-vs-sklearn.sh            # 1,000 classes x 20,000 examples
#   C=11000 N=5000 benchmarks/scripts/evaluation-vs-sklearn.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
C=${C:-1000}
N=${N:-20000}
source benchmarks/scripts/peers.sh
need_python_module sklearn python3-sklearn python3-numpy
mvn -q -DskipTests install
CP="benchmarks/target/labelbeam-benchmarks.jar:$(cat benchmarks/target/classpath.txt)"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
java -Xmx4g -cp "$CP" dev.labelbeam.benchmarks.EvaluationVsSklearn write "$DIR" "$C" "$N"
java -Xmx4g -XX:+UseParallelGC -cp "$CP" dev.labelbeam.benchmarks.EvaluationVsSklearn time "$DIR" "$C" "$N" | tee "$DIR/java.txt"
/usr/bin/python3 benchmarks/scripts/sklearn_eval.py "$DIR" "$C" "$N" | tee "$DIR/py.txt"
/usr/bin/python3 - "$DIR" "$C" "$N" <<'PY'
import sys
d, C, N = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
kv = {}
for f in ("java.txt", "py.txt"):
    for line in open(f"{d}/{f}"):
        k, v = line.strip().split("=")
        kv[k] = float(v)
acc_mb = 2 * C * 1024 * 4 / 1e6
print(f"evaluation, {C} classes x {N} examples, one thread each:")
for mode in ("binned", "exact"):
    r = kv[f"java_{mode}_scores_per_s"] / kv["sklearn_scores_per_s"]
    print(f"  {mode:6s}: {kv[f'java_{mode}_scores_per_s']:.3g} scores/s vs sklearn {kv['sklearn_scores_per_s']:.3g}"
          f" -> ratio {r:.2f}x; macro-AUC {kv[f'java_{mode}_macro_auc']:.6f} vs {kv['sklearn_macro_auc']:.6f},"
          f" macro-F1 {kv[f'java_{mode}_macro_f1']:.6f} vs {kv['sklearn_macro_f1']:.6f}")
print(f"  memory: binned accumulator {acc_mb:.0f} MB whatever N; sklearn holds the arrays ({C*N*5/1e6:.0f} MB), peak RSS {kv['sklearn_peak_rss_mb']:.0f} MB")
PY
