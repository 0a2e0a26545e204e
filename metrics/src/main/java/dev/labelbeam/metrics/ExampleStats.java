package dev.labelbeam.metrics;

import java.io.Serializable;

/**
 * Example-based (samples) statistics at the fixed threshold: per-example precision, recall and F1
 * summed, true and predicted label counts, examples without labels. Mergeable by addition in any
 * order to bit-identical sums (rates are summed in fixed point, units of 2^-32). They need an
 * example's whole score vector, so an evaluation split by blocks of classes computes them apart.
 */
public final class ExampleStats implements Serializable {
  private static final long serialVersionUID = 1L;
  static final double FIXED_ONE = 4294967296.0;

  long examples;
  long sumSampleF1;
  long sumSamplePrecision;
  long sumSampleRecall;
  long sumTrue;
  long sumPredicted;
  long withoutLabels;
  /** The examples' {@link ExampleSet}: the sum of their ids' contributions, modulo 2^64. */
  long idSum;

  /** How many longs {@link #toLongs} gives. */
  public static final int LONGS = 8;

  /** Counts one example from its true positives, true labels and predicted labels at the threshold. */
  void add(long exTp, long exTrue, long exPred) {
    examples++;
    sumTrue += exTrue;
    sumPredicted += exPred;
    if (exTrue == 0) {
      withoutLabels++;
    }
    sumSamplePrecision += fixed(exPred == 0 ? 0 : (double) exTp / exPred);
    sumSampleRecall += fixed(exTrue == 0 ? 0 : (double) exTp / exTrue);
    sumSampleF1 += fixed(exTrue + exPred == 0 ? 0 : 2.0 * exTp / (exTrue + exPred));
  }

  /** Counts one example: a score at or above {@code threshold} predicts its class. */
  public ExampleStats add(ScoredExample e, double threshold) {
    return add(e, threshold, null);
  }

  /** Counts one example; class c is predicted at {@code classThresholds[c]}, or {@code threshold} when that is null. */
  public ExampleStats add(ScoredExample e, double threshold, double[] classThresholds) {
    idSum += ExampleSet.of(e.id);
    long exTp = 0;
    long exTrue = 0;
    long exPred = 0;
    for (int c = 0; c < e.scores.length; c++) {
      boolean label = (e.labelBits[c >>> 3] & (1 << (c & 7))) != 0;
      boolean predicted = e.score(c) >= (classThresholds == null ? threshold : classThresholds[c]);
      exTrue += label ? 1 : 0;
      exPred += predicted ? 1 : 0;
      exTp += label && predicted ? 1 : 0;
    }
    add(exTp, exTrue, exPred);
    return this;
  }

  /** Adds another's counts into these. */
  public ExampleStats merge(ExampleStats o) {
    examples += o.examples;
    sumSampleF1 += o.sumSampleF1;
    sumSamplePrecision += o.sumSamplePrecision;
    sumSampleRecall += o.sumSampleRecall;
    sumTrue += o.sumTrue;
    sumPredicted += o.sumPredicted;
    withoutLabels += o.withoutLabels;
    idSum += o.idSum;
    return this;
  }

  /** Examples counted. */
  public long examples() {
    return examples;
  }

  private static long fixed(double rate) {
    return Math.round(rate * FIXED_ONE);
  }

  /** The examples' set, as {@code metrics.json} records it ({@link ExampleSet#hex}). */
  public String exampleSet() {
    return ExampleSet.hex(idSum);
  }

  /** The sums as {@link #LONGS} longs (for a coder and the workers' all-reduce). */
  public long[] toLongs() {
    return new long[] {examples, sumSampleF1, sumSamplePrecision, sumSampleRecall, sumTrue, sumPredicted, withoutLabels,
        idSum};
  }

  /** The inverse of {@link #toLongs()}. */
  public static ExampleStats fromLongs(long[] v) {
    ExampleStats s = new ExampleStats();
    s.examples = v[0];
    s.sumSampleF1 = v[1];
    s.sumSamplePrecision = v[2];
    s.sumSampleRecall = v[3];
    s.sumTrue = v[4];
    s.sumPredicted = v[5];
    s.withoutLabels = v[6];
    s.idSum = v[7];
    return s;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExampleStats && java.util.Arrays.equals(toLongs(), ((ExampleStats) o).toLongs());
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(toLongs());
  }
}
