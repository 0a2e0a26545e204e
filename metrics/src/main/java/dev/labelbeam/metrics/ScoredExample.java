package dev.labelbeam.metrics;

import java.io.Serializable;

/** One scored record: its id, its true labels (packed bitset) and the model's per-class scores. */
public final class ScoredExample implements Serializable {
  private static final long serialVersionUID = 1L;

  public final String id;
  public final byte[] labelBits;
  public final float[] scores;

  public ScoredExample(String id, byte[] labelBits, float[] scores) {
    this.id = id;
    this.labelBits = labelBits;
    this.scores = scores;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ScoredExample)) {
      return false;
    }
    ScoredExample s = (ScoredExample) o;
    return id.equals(s.id) && java.util.Arrays.equals(labelBits, s.labelBits) && java.util.Arrays.equals(scores, s.scores);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }
}
