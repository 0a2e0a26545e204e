package dev.labelbeam.transforms.evaluation;

import java.util.Arrays;

/**
 * Exact binary metrics on (score, label) arrays: the reference math of the evaluation stage.
 *
 * <p>ROC AUC is the Mann–Whitney statistic with average ranks for tied scores, which equals the
 * trapezoidal area scikit-learn's {@code roc_auc_score} computes (ties count one half). It is
 * undefined ({@link Double#NaN}) when all labels are equal.
 */
public final class BinaryMetrics {
  private BinaryMetrics() {}

  /** ROC AUC, or NaN when there are no positives or no negatives. */
  public static double rocAuc(float[] scores, boolean[] labels) {
    int n = scores.length;
    if (labels.length != n) {
      throw new IllegalArgumentException("scores and labels differ in length: " + n + " vs " + labels.length);
    }
    long pos = 0;
    for (boolean l : labels) {
      pos += l ? 1 : 0;
    }
    long neg = n - pos;
    if (pos == 0 || neg == 0) {
      return Double.NaN;
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(scores[a], scores[b]));
    double rankSumPos = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && Float.compare(scores[order[j + 1]], scores[order[i]]) == 0) {
        j++;
      }
      double avgRank = (i + j) / 2.0 + 1; // 1-based average rank of the tie group
      for (int k = i; k <= j; k++) {
        if (labels[order[k]]) {
          rankSumPos += avgRank;
        }
      }
      i = j + 1;
    }
    return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
  }

  /** Confusion counts at {@code threshold}: a score at or above it predicts positive. */
  public static Confusion confusion(float[] scores, boolean[] labels, double threshold) {
    long tp = 0;
    long fp = 0;
    long fn = 0;
    long tn = 0;
    for (int i = 0; i < scores.length; i++) {
      boolean predicted = scores[i] >= threshold;
      if (predicted && labels[i]) {
        tp++;
      } else if (predicted) {
        fp++;
      } else if (labels[i]) {
        fn++;
      } else {
        tn++;
      }
    }
    return new Confusion(tp, fp, fn, tn);
  }
}
