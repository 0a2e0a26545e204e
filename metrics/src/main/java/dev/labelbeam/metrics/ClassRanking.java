package dev.labelbeam.metrics;

import dev.labelbeam.shard.LabelBits;

/**
 * The ranking metrics of one class: ROC AUC (with an error bound in binned mode), average
 * precision, and the F1-maximizing threshold. Computed exactly from kept scores or from the class's
 * score histograms.
 */
final class ClassRanking {
  /** NaN when undefined. */
  double auc = Double.NaN;
  /** 0 in exact mode; in binned mode the most the binned AUC can differ from the exact one. */
  double aucErrorBound;
  /** NaN without positives. */
  double ap = Double.NaN;
  double bestThreshold;
  Confusion atBest;

  /**
   * Exact, from the kept examples: in float64 when {@code float64} (every kept example brought its
   * float64 scores, {@link MetricsReports#keptFloat64}), else in float32.
   */
  static ClassRanking exact(MetricsAccumulator acc, int c, boolean float64) {
    int n = acc.kept.size();
    double[] s64 = float64 ? new double[n] : null;
    float[] s32 = float64 ? null : new float[n];
    boolean[] l = new boolean[n];
    for (int i = 0; i < n; i++) {
      ScoredExample e = acc.kept.get(i);
      if (float64) {
        s64[i] = e.scores64[c];
      } else {
        s32[i] = e.scores[c];
      }
      l[i] = LabelBits.get(e.labelBits, c);
    }
    ClassRanking r = new ClassRanking();
    BinaryMetrics.Ranked ranked = float64 ? BinaryMetrics.rank(s64, l) : BinaryMetrics.rank(s32, l);
    r.auc = ranked.auc;
    r.ap = ranked.ap;
    r.bestThreshold = ranked.tuned.threshold;
    r.atBest = ranked.tuned.confusion;
    return r;
  }

  /** From the histograms of class {@code c}. */
  static ClassRanking binned(MetricsAccumulator acc, int c) {
    acc.densify();
    int nb = acc.bins.bins();
    return fromHistograms(acc.posHist, acc.negHist, c * nb, nb, acc.bins);
  }

  /**
   * Ranking metrics of one histogram pair (positives', negatives' counts per bin). Scores in one bin
   * count as tied, as scikit-learn counts tied scores: AUC gives such a pair one half, so
   * {@code |AUC_binned - AUC_exact| <= sum_b pos_b * neg_b / (2 P N)}, the bound reported.
   */
  static ClassRanking fromHistograms(int[] pos, int[] neg, int off, int nb, LogitBins bins) {
    return fromCounts(b -> pos[off + b], b -> neg[off + b], nb, bins);
  }

  /** The same for pooled histograms, whose counts (N × C at 11,000 classes) pass 2^31. */
  static ClassRanking fromHistograms(long[] pos, long[] neg, LogitBins bins) {
    return fromCounts(b -> pos[b], b -> neg[b], bins.bins(), bins);
  }

  private static ClassRanking fromCounts(java.util.function.IntToLongFunction pos,
      java.util.function.IntToLongFunction neg, int nb, LogitBins bins) {
    long p = 0;
    long n = 0;
    for (int b = 0; b < nb; b++) {
      p += pos.applyAsLong(b);
      n += neg.applyAsLong(b);
    }
    ClassRanking r = new ClassRanking();
    if (p > 0 && n > 0) {
      double wins = 0;
      double tiePairs = 0;
      long negBelow = 0;
      for (int b = 0; b < nb; b++) {
        long pb = pos.applyAsLong(b);
        long qb = neg.applyAsLong(b);
        wins += pb * (negBelow + qb / 2.0);
        tiePairs += (double) pb * qb;
        negBelow += qb;
      }
      r.auc = wins / ((double) p * n);
      r.aucErrorBound = tiePairs / (2.0 * p * n);
    }
    long tp = 0;
    long fp = 0;
    double prevRecall = 0;
    double ap = 0;
    double bestF1 = -1;
    r.bestThreshold = bins.edge(nb);
    r.atBest = new Confusion(0, 0, p, n);
    for (int b = nb - 1; b >= 0; b--) {
      long pb = pos.applyAsLong(b);
      long qb = neg.applyAsLong(b);
      if (pb + qb == 0) {
        continue;
      }
      tp += pb;
      fp += qb;
      if (p > 0) {
        double recall = (double) tp / p;
        ap += (recall - prevRecall) * tp / (tp + fp);
        prevRecall = recall;
      }
      Confusion cm = new Confusion(tp, fp, p - tp, n - fp);
      if (p > 0 && cm.f1() > bestF1) {
        bestF1 = cm.f1();
        r.bestThreshold = bins.edge(b);
        r.atBest = cm;
      }
    }
    if (p > 0) {
      r.ap = ap;
    }
    return r;
  }
}
