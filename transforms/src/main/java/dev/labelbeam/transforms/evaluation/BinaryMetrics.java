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

  /**
   * Average precision as scikit-learn's {@code average_precision_score}: over the distinct scores in
   * decreasing order, {@code sum (R_k - R_{k-1}) * P_k}. NaN when there are no positives.
   */
  public static double averagePrecision(float[] scores, boolean[] labels) {
    Integer[] order = descending(scores);
    long pos = 0;
    for (boolean l : labels) {
      pos += l ? 1 : 0;
    }
    if (pos == 0) {
      return Double.NaN;
    }
    double ap = 0;
    long tp = 0;
    long fp = 0;
    double prevRecall = 0;
    int i = 0;
    while (i < order.length) {
      int j = i;
      while (j < order.length && Float.compare(scores[order[j]], scores[order[i]]) == 0) {
        if (labels[order[j]]) {
          tp++;
        } else {
          fp++;
        }
        j++;
      }
      double recall = (double) tp / pos;
      ap += (recall - prevRecall) * tp / (tp + fp);
      prevRecall = recall;
      i = j;
    }
    return ap;
  }

  /**
   * The threshold (one of the scores) at which predicting {@code score >= threshold} gives the
   * highest F1, with its confusion counts. Ties in F1 go to the higher threshold. Without positives
   * the F1 is 0 everywhere; then the highest score plus an epsilon is returned (predict nothing).
   */
  public static Tuned bestF1Threshold(float[] scores, boolean[] labels) {
    Integer[] order = descending(scores);
    long pos = 0;
    for (boolean l : labels) {
      pos += l ? 1 : 0;
    }
    long n = scores.length;
    long tp = 0;
    long fp = 0;
    double bestF1 = -1;
    double bestT = Double.POSITIVE_INFINITY;
    Confusion best = new Confusion(0, 0, pos, n - pos);
    int i = 0;
    while (i < order.length) {
      int j = i;
      while (j < order.length && Float.compare(scores[order[j]], scores[order[i]]) == 0) {
        if (labels[order[j]]) {
          tp++;
        } else {
          fp++;
        }
        j++;
      }
      Confusion c = new Confusion(tp, fp, pos - tp, n - pos - fp);
      if (c.f1() > bestF1) {
        bestF1 = c.f1();
        bestT = scores[order[i]];
        best = c;
      }
      i = j;
    }
    if (pos == 0 || bestF1 <= 0) {
      float max = order.length == 0 ? 1f : scores[order[0]];
      return new Tuned(Math.nextUp(max), new Confusion(0, 0, pos, n - pos));
    }
    return new Tuned(bestT, best);
  }

  /** A tuned threshold and the confusion counts it gives. */
  public static final class Tuned {
    public final double threshold;
    public final Confusion confusion;

    public Tuned(double threshold, Confusion confusion) {
      this.threshold = threshold;
      this.confusion = confusion;
    }
  }

  private static Integer[] descending(float[] scores) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
    return order;
  }
}
