package dev.labelbeam.transforms.evaluation;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The mergeable state of an evaluation. Always: exact confusion counts per class at the fixed
 * threshold, and example-based (samples) statistics. Then either every example (exact mode, memory
 * O(examples × classes)) or, per class, a histogram of the positives' and the negatives' scores over
 * {@link LogitBins} (binned mode, memory O(classes × bins), independent of the number of examples).
 */
public final class MetricsAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;

  final int numClasses;
  final double threshold;
  final long[] tp;
  final long[] fp;
  final long[] fn;
  final long[] tn;
  long examples;
  /**
   * Sums of per-example rates in fixed point (units of 2^-32), so that merging in any order gives
   * bit-identical results (floating-point sums would depend on the order).
   */
  long sumSampleF1;
  long sumSamplePrecision;
  long sumSampleRecall;
  long sumTrue;
  long sumPredicted;
  long withoutLabels;

  /** Exact mode: the examples; null in binned mode. */
  final List<ScoredExample> kept;
  /** Binned mode: the bins and the class-major histograms; null in exact mode. */
  final LogitBins bins;
  final int[] posHist;
  final int[] negHist;

  private MetricsAccumulator(int numClasses, double threshold, LogitBins bins) {
    this.numClasses = numClasses;
    this.threshold = threshold;
    this.tp = new long[numClasses];
    this.fp = new long[numClasses];
    this.fn = new long[numClasses];
    this.tn = new long[numClasses];
    this.bins = bins;
    if (bins == null) {
      kept = new ArrayList<>();
      posHist = null;
      negHist = null;
    } else {
      kept = null;
      long cells = (long) numClasses * bins.bins();
      if (cells > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(numClasses + " classes × " + bins.bins() + " bins is too many cells");
      }
      posHist = new int[(int) cells];
      negHist = new int[(int) cells];
    }
  }

  /** An exact-mode accumulator. */
  public static MetricsAccumulator exact(int numClasses, double threshold) {
    return new MetricsAccumulator(numClasses, threshold, null);
  }

  /** A binned-mode accumulator. */
  public static MetricsAccumulator binned(int numClasses, double threshold, LogitBins bins) {
    return new MetricsAccumulator(numClasses, threshold, bins);
  }

  public boolean isExact() {
    return bins == null;
  }

  /** Adds one scored example. */
  public MetricsAccumulator add(ScoredExample e) {
    if (e.scores.length != numClasses) {
      throw new IllegalArgumentException("example " + e.id + " has " + e.scores.length + " scores, expected " + numClasses);
    }
    byte[] bits = e.labelBits;
    if (bits.length != (numClasses + 7) / 8) {
      throw new IllegalArgumentException("example " + e.id + " has a " + bits.length + "-byte label bitset, expected "
          + (numClasses + 7) / 8);
    }
    long exTp = 0;
    long exTrue = 0;
    long exPred = 0;
    int nb = bins == null ? 0 : bins.bins();
    for (int c = 0; c < numClasses; c++) {
      boolean label = (bits[c >>> 3] & (1 << (c & 7))) != 0;
      float s = e.scores[c];
      boolean predicted = s >= threshold;
      if (label) {
        exTrue++;
        if (predicted) {
          tp[c]++;
          exTp++;
          exPred++;
        } else {
          fn[c]++;
        }
      } else if (predicted) {
        fp[c]++;
        exPred++;
      } else {
        tn[c]++;
      }
      if (bins != null) {
        int cell = c * nb + bins.bin(s);
        if (label) {
          posHist[cell]++;
        } else {
          negHist[cell]++;
        }
      }
    }
    examples++;
    sumTrue += exTrue;
    sumPredicted += exPred;
    if (exTrue == 0) {
      withoutLabels++;
    }
    sumSamplePrecision += fixed(exPred == 0 ? 0 : (double) exTp / exPred);
    sumSampleRecall += fixed(exTrue == 0 ? 0 : (double) exTp / exTrue);
    sumSampleF1 += fixed(exTrue + exPred == 0 ? 0 : 2.0 * exTp / (exTrue + exPred));
    if (kept != null) {
      kept.add(e);
    }
    return this;
  }

  static final double FIXED_ONE = 4294967296.0;

  private static long fixed(double rate) {
    return Math.round(rate * FIXED_ONE);
  }

  /** Adds another accumulator of the same shape into this one. */
  public MetricsAccumulator merge(MetricsAccumulator o) {
    if (o.numClasses != numClasses || o.threshold != threshold || (o.bins == null) != (bins == null)
        || (bins != null && o.bins.bins() != bins.bins())) {
      throw new IllegalArgumentException("cannot merge accumulators of different shapes");
    }
    for (int c = 0; c < numClasses; c++) {
      tp[c] += o.tp[c];
      fp[c] += o.fp[c];
      fn[c] += o.fn[c];
      tn[c] += o.tn[c];
    }
    examples += o.examples;
    sumSampleF1 += o.sumSampleF1;
    sumSamplePrecision += o.sumSamplePrecision;
    sumSampleRecall += o.sumSampleRecall;
    sumTrue += o.sumTrue;
    sumPredicted += o.sumPredicted;
    withoutLabels += o.withoutLabels;
    if (kept != null) {
      kept.addAll(o.kept);
    } else {
      for (int i = 0; i < posHist.length; i++) {
        posHist[i] = Math.addExact(posHist[i], o.posHist[i]);
        negHist[i] = Math.addExact(negHist[i], o.negHist[i]);
      }
    }
    return this;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof MetricsAccumulator)) {
      return false;
    }
    MetricsAccumulator a = (MetricsAccumulator) o;
    return numClasses == a.numClasses && threshold == a.threshold && examples == a.examples
        && sumSampleF1 == a.sumSampleF1 && sumSamplePrecision == a.sumSamplePrecision
        && sumSampleRecall == a.sumSampleRecall && sumTrue == a.sumTrue && sumPredicted == a.sumPredicted
        && withoutLabels == a.withoutLabels && java.util.Arrays.equals(tp, a.tp) && java.util.Arrays.equals(fp, a.fp)
        && java.util.Arrays.equals(fn, a.fn) && java.util.Arrays.equals(tn, a.tn)
        && java.util.Objects.equals(kept, a.kept) && java.util.Arrays.equals(posHist, a.posHist)
        && java.util.Arrays.equals(negHist, a.negHist);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(numClasses, examples, sumTrue, sumPredicted);
  }
}
