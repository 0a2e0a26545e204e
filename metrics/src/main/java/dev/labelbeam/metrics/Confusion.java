package dev.labelbeam.metrics;

import java.io.Serializable;

/**
 * True/false positive/negative counts of one class at one threshold, and the rates derived from
 * them. Where a rate's denominator is zero it is 0, as scikit-learn's {@code zero_division=0}.
 */
public final class Confusion implements Serializable {
  private static final long serialVersionUID = 1L;

  public final long tp;
  public final long fp;
  public final long fn;
  public final long tn;

  public Confusion(long tp, long fp, long fn, long tn) {
    this.tp = tp;
    this.fp = fp;
    this.fn = fn;
    this.tn = tn;
  }

  public Confusion plus(Confusion o) {
    return new Confusion(tp + o.tp, fp + o.fp, fn + o.fn, tn + o.tn);
  }

  /** Positives in the data. */
  public long support() {
    return tp + fn;
  }

  public double precision() {
    return tp + fp == 0 ? 0 : (double) tp / (tp + fp);
  }

  public double recall() {
    return tp + fn == 0 ? 0 : (double) tp / (tp + fn);
  }

  public double f1() {
    long d = 2 * tp + fp + fn;
    return d == 0 ? 0 : 2.0 * tp / d;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Confusion && ((Confusion) o).tp == tp && ((Confusion) o).fp == fp && ((Confusion) o).fn == fn
        && ((Confusion) o).tn == tn;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(tp, fp, fn, tn);
  }
}
