package dev.labelbeam.metrics;

import java.io.Serializable;

/**
 * One scored record: its id, its true labels (packed bitset) and the model's per-class scores.
 *
 * <p>{@link #scores} are float32, as a model in float32 gives them, and are what binned mode bins.
 * Scores read from a file as float64 (another model's predictions) are kept as given in
 * {@link #scores64} too, so that exact mode and every threshold comparison use them unrounded: two
 * float64 scores 1e-9 apart that round to one float32 would otherwise tie.
 */
public final class ScoredExample implements Serializable {
  private static final long serialVersionUID = 2L;

  public final String id;
  public final byte[] labelBits;
  public final float[] scores;
  /** The scores as given when they were float64, else null; {@link #scores} are them rounded. */
  public final double[] scores64;

  public ScoredExample(String id, byte[] labelBits, float[] scores) {
    this(id, labelBits, scores, null);
  }

  /** With float64 scores: {@link #scores} become them rounded to float32. */
  public static ScoredExample ofDoubles(String id, byte[] labelBits, double[] scores64) {
    float[] f = new float[scores64.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) scores64[i];
    }
    return new ScoredExample(id, labelBits, f, scores64);
  }

  /**
   * @param scores64 the same scores in float64, as given, or null
   */
  public ScoredExample(String id, byte[] labelBits, float[] scores, double[] scores64) {
    if (scores64 != null && scores64.length != scores.length) {
      throw new IllegalArgumentException(scores.length + " float32 scores but " + scores64.length + " float64");
    }
    this.id = id;
    this.labelBits = labelBits;
    this.scores = scores;
    this.scores64 = scores64;
  }

  /** This example with its float32 scores only (as a float32 model would have given them). */
  public ScoredExample withoutFloat64() {
    return scores64 == null ? this : new ScoredExample(id, labelBits, scores, null);
  }

  /** Class {@code c}'s score at the precision it was given in. */
  public double score(int c) {
    return scores64 != null ? scores64[c] : scores[c];
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ScoredExample)) {
      return false;
    }
    ScoredExample s = (ScoredExample) o;
    return id.equals(s.id) && java.util.Arrays.equals(labelBits, s.labelBits) && java.util.Arrays.equals(scores, s.scores)
        && java.util.Arrays.equals(scores64, s.scores64);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }
}
