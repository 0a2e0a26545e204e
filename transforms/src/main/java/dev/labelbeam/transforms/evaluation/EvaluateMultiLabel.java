package dev.labelbeam.transforms.evaluation;

import static dev.labelbeam.transforms.Preconditions.checkArgument;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;

/**
 * Per-class and averaged multi-label metrics over scored examples (true label bitset and per-class
 * scores), as one {@link MultiLabelReport} element: support, TP/FP/FN/TN, precision, recall and F1
 * at the threshold, ROC AUC and average precision, tuned per-class thresholds, micro, macro and
 * support-weighted averages, mAP, samples F1 and label cardinality.
 *
 * <pre>{@code
 * PCollection<MultiLabelReport> report = scored.apply(EvaluateMultiLabel.binned(numClasses));
 * }</pre>
 *
 * <p>{@link #binned} (the default for large data) keeps per class a histogram of the positives' and
 * negatives' scores over {@link LogitBins}: memory O(classes × bins) whatever the number of
 * examples, accumulators merge by addition in any order. AUC and AP treat scores in one bin as
 * tied, and each class's report carries the bound {@code sum_b pos_b neg_b / (2 P N)} on the AUC's
 * distance from the exact value. Confusion counts at the fixed threshold are exact in both modes.
 * {@link #exact} keeps every score (memory O(examples × classes)) and computes everything exactly.
 */
public final class EvaluateMultiLabel extends PTransform<PCollection<ScoredExample>, PCollection<MultiLabelReport>> {
  private static final long serialVersionUID = 1L;

  private final int numClasses;
  private final double threshold;
  private final int bins; // 0: exact
  private final int minSupportForTuning;

  private EvaluateMultiLabel(int numClasses, double threshold, int bins, int minSupportForTuning) {
    this.numClasses = numClasses;
    this.threshold = threshold;
    this.bins = bins;
    this.minSupportForTuning = minSupportForTuning;
  }

  /** Exact metrics, every score kept; for data that fits in memory. */
  public static EvaluateMultiLabel exact(int numClasses) {
    checkArgument(numClasses >= 1, "numClasses must be >= 1, was %s", numClasses);
    return new EvaluateMultiLabel(numClasses, 0.5, 0, MetricsReports.DEFAULT_MIN_SUPPORT_FOR_TUNING);
  }

  /** Histogram-based metrics with {@link LogitBins#DEFAULT_BINS} bins per class. */
  public static EvaluateMultiLabel binned(int numClasses) {
    checkArgument(numClasses >= 1, "numClasses must be >= 1, was %s", numClasses);
    return new EvaluateMultiLabel(numClasses, 0.5, LogitBins.DEFAULT_BINS, MetricsReports.DEFAULT_MIN_SUPPORT_FOR_TUNING);
  }

  /**
   * Histogram-based metrics whose class count is taken from the examples' score vectors: for
   * pipelines where the model, and so the number of classes, is known only when the data arrives.
   */
  public static EvaluateMultiLabel binnedSizedByData() {
    return new EvaluateMultiLabel(0, 0.5, LogitBins.DEFAULT_BINS, MetricsReports.DEFAULT_MIN_SUPPORT_FOR_TUNING);
  }

  /** Exact metrics, the class count taken from the examples (see {@link #binnedSizedByData}). */
  public static EvaluateMultiLabel exactSizedByData() {
    return new EvaluateMultiLabel(0, 0.5, 0, MetricsReports.DEFAULT_MIN_SUPPORT_FOR_TUNING);
  }

  /** Bins per class in binned mode: even, in [2, 1048576]; more bins, tighter AUC, more memory. */
  public EvaluateMultiLabel withBins(int n) {
    checkArgument(n >= 2 && n % 2 == 0 && n <= (1 << 20), "bins must be even and in [2, 1048576], was %s", n);
    checkArgument(bins > 0, "bins apply to binned mode, not exact mode%s", "");
    return new EvaluateMultiLabel(numClasses, threshold, n, minSupportForTuning);
  }

  /** Fixed decision threshold in [0, 1]: a score at or above it predicts positive. Default 0.5. */
  public EvaluateMultiLabel withThreshold(double t) {
    checkArgument(t >= 0 && t <= 1, "threshold must be in [0, 1], was %s", t);
    return new EvaluateMultiLabel(numClasses, t, bins, minSupportForTuning);
  }

  /** Classes with fewer positives keep the fixed threshold rather than a tuned one; >= 1, default 10. */
  public EvaluateMultiLabel withMinSupportForTuning(int n) {
    checkArgument(n >= 1, "minSupportForTuning must be >= 1, was %s", n);
    return new EvaluateMultiLabel(numClasses, threshold, bins, n);
  }

  @Override
  public PCollection<MultiLabelReport> expand(PCollection<ScoredExample> input) {
    Combine.CombineFn<ScoredExample, ?, MultiLabelReport> fn = numClasses > 0
        ? new MetricsFn(numClasses, threshold, bins, minSupportForTuning)
        : new SizedByDataFn(threshold, bins, minSupportForTuning);
    return input
        .apply(bins == 0 ? "ExactMetrics" : "BinnedMetrics", Combine.globally(fn))
        .setCoder(SerializableCoder.of(MultiLabelReport.class));
  }

  /** The {@code CombineFn}; usable directly, e.g. in {@code Combine.perKey} for per-slice metrics. */
  public static final class MetricsFn extends Combine.CombineFn<ScoredExample, MetricsAccumulator, MultiLabelReport> {
    private static final long serialVersionUID = 1L;
    private final int numClasses;
    private final double threshold;
    private final int bins;
    private final int minSupportForTuning;

    public MetricsFn(int numClasses, double threshold, int bins, int minSupportForTuning) {
      this.numClasses = numClasses;
      this.threshold = threshold;
      this.bins = bins;
      this.minSupportForTuning = minSupportForTuning;
    }

    @Override
    public MetricsAccumulator createAccumulator() {
      return bins == 0
          ? MetricsAccumulator.exact(numClasses, threshold)
          : MetricsAccumulator.binned(numClasses, threshold, new LogitBins(bins, LogitBins.DEFAULT_RANGE));
    }

    @Override
    public MetricsAccumulator addInput(MetricsAccumulator acc, ScoredExample in) {
      return acc.add(in);
    }

    @Override
    public MetricsAccumulator mergeAccumulators(Iterable<MetricsAccumulator> accs) {
      MetricsAccumulator out = null;
      for (MetricsAccumulator a : accs) {
        out = out == null ? a : out.merge(a);
      }
      return out == null ? createAccumulator() : out;
    }

    @Override
    public MultiLabelReport extractOutput(MetricsAccumulator acc) {
      if (acc.kept != null) {
        // exact mode: a fixed order, so that the result does not depend on the order of merging
        acc.kept.sort((a, b) -> a.id.compareTo(b.id));
      }
      return MetricsReports.report(acc, minSupportForTuning);
    }

    @Override
    public Coder<MetricsAccumulator> getAccumulatorCoder(CoderRegistry r, Coder<ScoredExample> in) {
      return SerializableCoder.of(MetricsAccumulator.class);
    }
  }

  /** A {@link MetricsFn} created at the first example, sized by its score vector. */
  static final class SizedByDataFn extends Combine.CombineFn<ScoredExample, SizedByDataFn.Holder, MultiLabelReport> {
    private static final long serialVersionUID = 1L;
    private final double threshold;
    private final int bins;
    private final int minSupportForTuning;

    /** The accumulator: empty until the first example. */
    static final class Holder implements java.io.Serializable {
      private static final long serialVersionUID = 1L;
      MetricsAccumulator acc;

      @Override
      public boolean equals(Object o) {
        return o instanceof Holder && java.util.Objects.equals(acc, ((Holder) o).acc);
      }

      @Override
      public int hashCode() {
        return acc == null ? 0 : acc.hashCode();
      }
    }

    SizedByDataFn(double threshold, int bins, int minSupportForTuning) {
      this.threshold = threshold;
      this.bins = bins;
      this.minSupportForTuning = minSupportForTuning;
    }

    private MetricsFn fn(int numClasses) {
      return new MetricsFn(numClasses, threshold, bins, minSupportForTuning);
    }

    @Override
    public Holder createAccumulator() {
      return new Holder();
    }

    @Override
    public Holder addInput(Holder h, ScoredExample in) {
      if (h.acc == null) {
        h.acc = fn(in.scores.length).createAccumulator();
      }
      h.acc.add(in);
      return h;
    }

    @Override
    public Holder mergeAccumulators(Iterable<Holder> hs) {
      Holder out = new Holder();
      for (Holder h : hs) {
        if (h.acc != null) {
          out.acc = out.acc == null ? h.acc : out.acc.merge(h.acc);
        }
      }
      return out;
    }

    @Override
    public MultiLabelReport extractOutput(Holder h) {
      if (h.acc == null) {
        // no examples (also what Combine.globally asks for as its default value): an empty report
        MultiLabelReport empty = new MultiLabelReport();
        empty.mode = bins == 0 ? "exact" : "binned";
        empty.bins = bins == 0 ? null : bins;
        empty.threshold = threshold;
        empty.minSupportForTuning = minSupportForTuning;
        return empty;
      }
      return fn(h.acc.numClasses).extractOutput(h.acc);
    }

    @Override
    public Coder<Holder> getAccumulatorCoder(CoderRegistry r, Coder<ScoredExample> in) {
      return SerializableCoder.of(Holder.class);
    }
  }
}
