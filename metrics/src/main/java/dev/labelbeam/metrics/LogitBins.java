package dev.labelbeam.metrics;

import java.io.Serializable;

/**
 * Bins for probability scores, uniform in logit space over {@code [-range, range]}: sigmoid outputs
 * crowd near 0 and 1, where bins uniform in probability would lump most examples together. The
 * logit is monotonic, so rankings (AUC, AP) are unchanged.
 *
 * <p>Bin {@code b} holds the scores {@code s} with {@code edge(b) <= s < edge(b+1)}, the edges being
 * floats, so "bin ≥ b" and "score ≥ edge(b)" agree exactly, and a threshold read off the bins means
 * the same in {@code predict}. {@code edge(0) = 0}; scores below it (and NaN) go to bin 0. With an
 * even number of bins, 0.5 is the edge of bin {@code bins/2}.
 */
public final class LogitBins implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final double DEFAULT_RANGE = 12.0;
  public static final int DEFAULT_BINS = 1024;

  private final int bins;
  private final double range;
  private final float[] edges;

  public LogitBins(int bins, double range) {
    if (bins < 2 || bins % 2 != 0 || bins > (1 << 20)) {
      throw new IllegalArgumentException("bins must be even and in [2, 1048576], was " + bins);
    }
    if (!(range > 0) || range > 80) {
      throw new IllegalArgumentException("range must be in (0, 80], was " + range);
    }
    this.bins = bins;
    this.range = range;
    this.edges = new float[bins];
    for (int b = 1; b < bins; b++) {
      double logit = -range + 2 * range * b / bins;
      edges[b] = (float) (1 / (1 + Math.exp(-logit)));
    }
    edges[bins / 2] = 0.5f;
  }

  public static LogitBins defaults() {
    return new LogitBins(DEFAULT_BINS, DEFAULT_RANGE);
  }

  /** The logit range: bins are uniform in logit over {@code [-range, range]}. */
  public double range() {
    return range;
  }

  public int bins() {
    return bins;
  }

  /**
   * The bin of a score: the largest {@code b} with {@code score >= edge(b)}. A binary search over the
   * precomputed edges (10 comparisons at 1,024 bins), without a logarithm per score.
   */
  public int bin(float s) {
    if (!(s > 0)) {
      return 0;
    }
    int lo = 0;
    int hi = bins - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (s >= edges[mid]) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** The lower edge of bin {@code b}: predicting "bin ≥ b" is predicting "score ≥ edge(b)". */
  public float edge(int b) {
    return b <= 0 ? 0f : b >= bins ? Math.nextUp(1f) : edges[b];
  }
}
