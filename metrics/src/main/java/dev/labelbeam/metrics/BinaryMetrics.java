package dev.labelbeam.metrics;

import java.util.Arrays;

/**
 * Exact binary metrics on (score, label) arrays: the reference math of the evaluation stage. One
 * primitive sort per call for float32 scores (score bits and label packed in a long), two for float64
 * ones (positives' and negatives' scores, then merged); tied scores form one threshold, as in
 * scikit-learn. float32 scores are compared as float32, float64 ones as given.
 *
 * <p>ROC AUC is the Mann–Whitney statistic with tied pairs counted one half, which equals the
 * trapezoidal area of scikit-learn's {@code roc_auc_score}. It is undefined ({@link Double#NaN})
 * when all labels are equal.
 */
public final class BinaryMetrics {
  private BinaryMetrics() {}

  /** ROC AUC, average precision and the F1-maximizing threshold of one class, from one sort. */
  public static final class Ranked {
    /** NaN without positives or without negatives. */
    public final double auc;
    /** NaN without positives. */
    public final double ap;
    public final Tuned tuned;

    Ranked(double auc, double ap, Tuned tuned) {
      this.auc = auc;
      this.ap = ap;
      this.tuned = tuned;
    }
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

  /**
   * All ranking metrics of one class. The tuned threshold is the score at which predicting
   * {@code score >= threshold} gives the highest F1 (ties in F1 go to the higher threshold); without
   * positives it is just above the highest score (predict nothing), the next float32 above it.
   */
  public static Ranked rank(float[] scores, boolean[] labels) {
    int n = scores.length;
    if (labels.length != n) {
      throw new IllegalArgumentException("scores and labels differ in length: " + n + " vs " + labels.length);
    }
    long[] keys = new long[n];
    long pos = 0;
    for (int i = 0; i < n; i++) {
      int b = Float.floatToIntBits(scores[i] == 0 ? 0f : scores[i]); // -0.0 ties with 0.0, as in scikit-learn
      b ^= (b >> 31) & 0x7fffffff; // order-preserving: negative floats reversed
      keys[i] = ((long) b << 1) | (labels[i] ? 1 : 0);
      pos += labels[i] ? 1 : 0;
    }
    Arrays.sort(keys);
    long neg = n - pos;

    // ascending pass: AUC from ranks with ties at their average rank
    double rankSumPos = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      long groupPos = 0;
      while (j < n && (keys[j] >> 1) == (keys[i] >> 1)) {
        groupPos += keys[j] & 1;
        j++;
      }
      rankSumPos += groupPos * ((i + j - 1) / 2.0 + 1);
      i = j;
    }
    double auc = pos == 0 || neg == 0 ? Double.NaN : (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);

    // descending pass: AP and the best F1 threshold, one step per distinct score
    TopDown top = new TopDown(pos, neg);
    i = n - 1;
    while (i >= 0) {
      int j = i;
      long groupPos = 0;
      long groupNeg = 0;
      while (j >= 0 && (keys[j] >> 1) == (keys[i] >> 1)) {
        groupPos += keys[j] & 1;
        groupNeg += 1 - (keys[j] & 1);
        j--;
      }
      top.step(scoreOf(keys[i]), groupPos, groupNeg);
      i = j;
    }
    return top.result(auc, Math.nextUp(n == 0 ? 1f : scoreOf(keys[n - 1])));
  }

  private static float scoreOf(long key) {
    int b = (int) (key >> 1);
    b ^= (b >> 31) & 0x7fffffff;
    return Float.intBitsToFloat(b);
  }

  /**
   * The same for float64 scores, compared as given (two scores 1e-12 apart are two thresholds); the
   * threshold above the highest score is the next float64 above it. The positives' and the negatives'
   * scores are sorted apart (a float64 key leaves no bit for the label), then merged in each direction.
   */
  public static Ranked rank(double[] scores, boolean[] labels) {
    int n = scores.length;
    if (labels.length != n) {
      throw new IllegalArgumentException("scores and labels differ in length: " + n + " vs " + labels.length);
    }
    int pos = 0;
    for (boolean l : labels) {
      pos += l ? 1 : 0;
    }
    // the positives' and the negatives' scores, each sorted ascending; -0.0 counts as 0.0
    double[] p = new double[pos];
    double[] q = new double[n - pos];
    for (int i = 0, a = 0, b = 0; i < n; i++) {
      double v = scores[i] == 0 ? 0.0 : scores[i];
      if (Double.isNaN(v)) {
        throw new IllegalArgumentException("score " + i + " is NaN: the model's outputs are not numbers (did training diverge?)");
      }
      if (labels[i]) {
        p[a++] = v;
      } else {
        q[b++] = v;
      }
    }
    Arrays.sort(p);
    Arrays.sort(q);
    long neg = q.length;

    // ascending pass over the distinct scores: AUC, each tied (positive, negative) pair counting one half
    double wins = 0;
    long negBelow = 0;
    for (int a = 0, b = 0; a < p.length || b < q.length; ) {
      double v = a < p.length && (b >= q.length || p[a] <= q[b]) ? p[a] : q[b];
      long pv = 0;
      long qv = 0;
      while (a < p.length && p[a] == v) {
        pv++;
        a++;
      }
      while (b < q.length && q[b] == v) {
        qv++;
        b++;
      }
      wins += pv * (negBelow + qv / 2.0);
      negBelow += qv;
    }
    double auc = pos == 0 || neg == 0 ? Double.NaN : wins / ((double) pos * neg);

    // descending pass: AP and the best F1 threshold, one step per distinct score
    TopDown top = new TopDown(pos, neg);
    for (int a = p.length - 1, b = q.length - 1; a >= 0 || b >= 0; ) {
      double v = a >= 0 && (b < 0 || p[a] >= q[b]) ? p[a] : q[b];
      long groupPos = 0;
      long groupNeg = 0;
      while (a >= 0 && p[a] == v) {
        groupPos++;
        a--;
      }
      while (b >= 0 && q[b] == v) {
        groupNeg++;
        b--;
      }
      top.step(v, groupPos, groupNeg);
    }
    double max = n == 0 ? 1 : Math.max(p.length == 0 ? Double.NEGATIVE_INFINITY : p[p.length - 1],
        q.length == 0 ? Double.NEGATIVE_INFINITY : q[q.length - 1]);
    return top.result(auc, Math.nextUp(max));
  }

  /**
   * The descending pass both rankings share: from the highest distinct score down, average precision
   * ({@code sum (R_k - R_{k-1}) * P_k}) and the threshold of the best F1 (ties go to the higher one).
   */
  private static final class TopDown {
    private final long pos;
    private final long neg;
    private double ap;
    private double prevRecall;
    private long tp;
    private long fp;
    private double bestF1 = -1;
    private double bestThreshold = Double.NaN;
    private Confusion best;

    TopDown(long pos, long neg) {
      this.pos = pos;
      this.neg = neg;
      this.best = new Confusion(0, 0, pos, neg);
    }

    /** The next distinct score from the top, with how many positives and negatives have it. */
    void step(double score, long groupPos, long groupNeg) {
      tp += groupPos;
      fp += groupNeg;
      if (pos > 0) {
        double recall = (double) tp / pos;
        ap += (recall - prevRecall) * tp / (tp + fp);
        prevRecall = recall;
        Confusion c = new Confusion(tp, fp, pos - tp, neg - fp);
        if (c.f1() > bestF1) {
          bestF1 = c.f1();
          bestThreshold = score;
          best = c;
        }
      }
    }

    /** The metrics; {@code aboveMax} is the threshold that predicts nothing, for a class without a useful one. */
    Ranked result(double auc, double aboveMax) {
      Tuned tuned = pos == 0 || bestF1 <= 0 ? new Tuned(aboveMax, new Confusion(0, 0, pos, neg))
          : new Tuned(bestThreshold, best);
      return new Ranked(auc, pos == 0 ? Double.NaN : ap, tuned);
    }
  }

  /** ROC AUC, or NaN when there are no positives or no negatives. */
  public static double rocAuc(float[] scores, boolean[] labels) {
    return rank(scores, labels).auc;
  }

  /** ROC AUC of float64 scores, compared as given. */
  public static double rocAuc(double[] scores, boolean[] labels) {
    return rank(scores, labels).auc;
  }

  /**
   * Average precision as scikit-learn's {@code average_precision_score}: over the distinct scores in
   * decreasing order, {@code sum (R_k - R_{k-1}) * P_k}. NaN when there are no positives.
   */
  public static double averagePrecision(float[] scores, boolean[] labels) {
    return rank(scores, labels).ap;
  }

  /** The F1-maximizing threshold, see {@link #rank}. */
  public static Tuned bestF1Threshold(float[] scores, boolean[] labels) {
    return rank(scores, labels).tuned;
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
