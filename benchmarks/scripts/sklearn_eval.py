"""The scikit-learn peer of EvaluationVsSklearn: per-class roc_auc_score and f1_score on the same arrays."""
import resource
import sys
import time

import numpy as np
from sklearn.metrics import f1_score, roc_auc_score

d, C, N = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
S = np.fromfile(f"{d}/scores.f32", dtype="<f4").reshape(N, C)
Y = np.fromfile(f"{d}/labels.u8", dtype=np.uint8).reshape(N, C)
best = float("inf")
for rep in range(3):
    t0 = time.perf_counter()
    aucs = []
    for c in range(C):
        y = Y[:, c]
        npos = int(y.sum())
        if 0 < npos < N:  # AUC is undefined otherwise; we report null for those classes too
            aucs.append(roc_auc_score(y, S[:, c]))
    f1 = f1_score(Y, S >= 0.5, average=None, zero_division=0)
    best = min(best, time.perf_counter() - t0)
print(f"sklearn_seconds={best:.4f}")
print(f"sklearn_scores_per_s={C * N / best:.4g}")
print(f"sklearn_macro_auc={np.mean(aucs):.6f}")
print(f"sklearn_macro_f1={np.mean(f1):.6f}")
print(f"sklearn_peak_rss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
