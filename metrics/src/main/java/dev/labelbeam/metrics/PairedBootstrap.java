package dev.labelbeam.metrics;

import dev.labelbeam.shard.LabelBits;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A paired bootstrap over examples for model B against model A evaluated on the same examples: each
 * resample draws N examples with replacement, the same ones for both models and every class, and
 * computes each class's ROC AUC difference (B − A) on it. A class's 95% interval is the 2.5th to 97.5th
 * percentile of its differences; B is better when the whole interval is above 0, worse when below. It
 * tells a real difference from the noise of a finite test set, which an exact evaluation alone cannot.
 *
 * <p>Cost: resamples × classes × 2 × N steps (each model's scores are sorted once per class; a
 * resample is a weighted walk over that order), so {@link #resamplesWithin} lowers the resamples to a
 * budget.
 */
public final class PairedBootstrap {
  /** The default number of resamples. */
  public static final int RESAMPLES = 1000;

  private PairedBootstrap() {}

  /** One class's interval of AUC(B) − AUC(A); null bounds when AUC is undefined on the full data. */
  public record Interval(Double low, Double high) {}

  /** The resamples that fit {@code budget} steps (at most {@code wanted}), or 0 when fewer than 100 fit. */
  public static int resamplesWithin(int wanted, int classes, int examples, double budget) {
    double perResample = 2.0 * classes * Math.max(1, examples);
    int fit = (int) Math.min(wanted, Math.floor(budget / perResample));
    return fit < 100 ? 0 : fit;
  }

  /**
   * Per-class 95% intervals of AUC(B) − AUC(A).
   *
   * @param a model A's scored examples; {@code b} model B's, the same ids with the same labels (any order)
   * @throws IllegalArgumentException when the ids or a pair's labels differ
   */
  public static Interval[] aucDifference(List<ScoredExample> a, List<ScoredExample> b, int numClasses, int resamples,
      long seed) {
    if (a.size() != b.size()) {
      throw new IllegalArgumentException("the two evaluations scored " + a.size() + " and " + b.size() + " examples");
    }
    Map<String, ScoredExample> byId = new HashMap<>();
    for (ScoredExample e : b) {
      byId.put(e.id, e);
    }
    int n = a.size();
    double[][] sa = new double[numClasses][n];
    double[][] sb = new double[numClasses][n];
    boolean[][] y = new boolean[numClasses][n];
    for (int i = 0; i < n; i++) {
      ScoredExample x = a.get(i);
      ScoredExample z = byId.get(x.id);
      if (z == null) {
        throw new IllegalArgumentException("example '" + x.id + "' was scored by the first model only");
      }
      if (!Arrays.equals(x.labelBits, z.labelBits)) {
        throw new IllegalArgumentException("example '" + x.id + "' has other labels in the two evaluations");
      }
      for (int c = 0; c < numClasses; c++) {
        sa[c][i] = x.score(c);
        sb[c][i] = z.score(c);
        y[c][i] = LabelBits.get(x.labelBits, c);
      }
    }
    int[][] weights = new int[resamples][n];
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int r = 0; r < resamples; r++) {
      for (int k = 0; k < n; k++) {
        weights[r][rnd.nextInt(n)]++;
      }
    }
    Interval[] out = new Interval[numClasses];
    double[] deltas = new double[resamples];
    for (int c = 0; c < numClasses; c++) {
      Ranking ra = new Ranking(sa[c]);
      Ranking rb = new Ranking(sb[c]);
      if (Double.isNaN(ra.auc(y[c], null)) || Double.isNaN(rb.auc(y[c], null))) {
        out[c] = new Interval(null, null);
        continue;
      }
      int kept = 0;
      for (int r = 0; r < resamples; r++) {
        double d = rb.auc(y[c], weights[r]) - ra.auc(y[c], weights[r]);
        if (!Double.isNaN(d)) { // a resample without positives or negatives of this class says nothing
          deltas[kept++] = d;
        }
      }
      if (kept == 0) {
        out[c] = new Interval(null, null);
        continue;
      }
      double[] sorted = Arrays.copyOf(deltas, kept);
      Arrays.sort(sorted);
      out[c] = new Interval(sorted[(int) Math.floor(0.025 * (kept - 1))], sorted[(int) Math.ceil(0.975 * (kept - 1))]);
    }
    return out;
  }

  /** One model's scores of one class in ascending order, with their ties grouped. */
  private static final class Ranking {
    private final int[] order;
    /** Start of each tie group in {@code order}, then {@code n}. */
    private final int[] groups;

    Ranking(double[] scores) {
      int n = scores.length;
      Integer[] idx = new Integer[n];
      for (int i = 0; i < n; i++) {
        idx[i] = i;
      }
      Arrays.sort(idx, (p, q) -> Double.compare(scores[p] == 0 ? 0.0 : scores[p], scores[q] == 0 ? 0.0 : scores[q]));
      order = new int[n];
      int[] g = new int[n + 1];
      int groupCount = 0;
      for (int k = 0; k < n; k++) {
        order[k] = idx[k];
        if (k == 0 || scores[idx[k]] != scores[idx[k - 1]]) {
          g[groupCount++] = k;
        }
      }
      g[groupCount] = n;
      groups = Arrays.copyOf(g, groupCount + 1);
    }

    /** The AUC with each example counted {@code w[i]} times (all once when null); NaN without both classes. */
    double auc(boolean[] labels, int[] w) {
      double wins = 0;
      double negBelow = 0;
      double pos = 0;
      for (int g = 0; g + 1 < groups.length; g++) {
        double gp = 0;
        double gn = 0;
        for (int k = groups[g]; k < groups[g + 1]; k++) {
          int i = order[k];
          int wi = w == null ? 1 : w[i];
          if (labels[i]) {
            gp += wi;
          } else {
            gn += wi;
          }
        }
        wins += gp * (negBelow + gn / 2);
        negBelow += gn;
        pos += gp;
      }
      return pos == 0 || negBelow == 0 ? Double.NaN : wins / (pos * negBelow);
    }
  }
}
