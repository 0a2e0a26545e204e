package dev.labelbeam.transforms.evaluation;

import dev.labelbeam.metrics.LogitBins;
import dev.labelbeam.metrics.MetricsAccumulator;
import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.ScoredExample;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.display.DisplayData;
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

  /** The number of classes, or null when it is taken from the first example's score vector. */
  private final Integer numClasses;
  private final MetricsOptions options;
  private final int classesPerBlock;

  private EvaluateMultiLabel(Integer numClasses, MetricsOptions options) {
    this(numClasses, options, CLASSES_PER_BLOCK);
  }

  private EvaluateMultiLabel(Integer numClasses, MetricsOptions options, int classesPerBlock) {
    if (numClasses != null && numClasses < 1) {
      throw new IllegalArgumentException("numClasses must be >= 1, was " + numClasses);
    }
    if (classesPerBlock < 1) {
      throw new IllegalArgumentException("classesPerBlock must be >= 1, was " + classesPerBlock);
    }
    this.numClasses = numClasses;
    this.options = options;
    this.classesPerBlock = classesPerBlock;
  }

  /**
   * Classes per block in binned mode (>= 1; default {@value #CLASSES_PER_BLOCK}): a block's accumulator
   * holds {@code 8 × classesPerBlock × bins} bytes, 2 MiB at the defaults.
   */
  public EvaluateMultiLabel withClassesPerBlock(int n) {
    return new EvaluateMultiLabel(numClasses, options, n);
  }

  /** Metrics computed as {@code options} say (see {@link MetricsOptions}) for {@code numClasses} classes. */
  public static EvaluateMultiLabel of(int numClasses, MetricsOptions options) {
    return new EvaluateMultiLabel(numClasses, options);
  }

  /**
   * Metrics computed as {@code options} say, the class count taken from the examples' score vectors:
   * for pipelines where the model, and so the number of classes, is known only when the data arrives.
   */
  public static EvaluateMultiLabel sizedByData(MetricsOptions options) {
    return new EvaluateMultiLabel(null, options);
  }

  /** Exact metrics, every score kept; for data that fits in memory. */
  public static EvaluateMultiLabel exact(int numClasses) {
    return of(numClasses, MetricsOptions.defaults().withMode(MetricsOptions.Mode.EXACT));
  }

  /** Histogram-based metrics with {@link LogitBins#DEFAULT_BINS} bins per class. */
  public static EvaluateMultiLabel binned(int numClasses) {
    return of(numClasses, MetricsOptions.defaults());
  }

  /** Histogram-based metrics whose class count is taken from the examples (see {@link #sizedByData}). */
  public static EvaluateMultiLabel binnedSizedByData() {
    return sizedByData(MetricsOptions.defaults());
  }

  /** Exact metrics, the class count taken from the examples (see {@link #sizedByData}). */
  public static EvaluateMultiLabel exactSizedByData() {
    return sizedByData(MetricsOptions.defaults().withMode(MetricsOptions.Mode.EXACT));
  }

  /** Bins per class in binned mode: even, in [2, 1048576]; more bins, tighter AUC, more memory. */
  public EvaluateMultiLabel withBins(int n) {
    return new EvaluateMultiLabel(numClasses, options.withBins(n), classesPerBlock);
  }

  /** Fixed decision threshold in [0, 1]: a score at or above it predicts positive. Default 0.5. */
  public EvaluateMultiLabel withThreshold(double t) {
    return new EvaluateMultiLabel(numClasses, options.withThreshold(t), classesPerBlock);
  }

  /** Classes with fewer positives keep the fixed threshold rather than a tuned one; >= 1, default 10. */
  public EvaluateMultiLabel withMinSupportForTuning(int n) {
    return new EvaluateMultiLabel(numClasses, options.withMinSupportForTuning(n), classesPerBlock);
  }

  /** The options this transform computes with. */
  public MetricsOptions options() {
    return options;
  }

  /**
   * Classes per block in binned mode: the examples are cut into blocks of this many classes and
   * combined per block ({@link ClassBlockMetrics}), so that no accumulator holds every class.
   */
  public static final int CLASSES_PER_BLOCK = 256;

  @Override
  public PCollection<MultiLabelReport> expand(PCollection<ScoredExample> input) {
    if (options.mode() == MetricsOptions.Mode.BINNED) {
      return input.apply("BinnedMetricsByClassBlock", new ClassBlockMetrics(numClasses, options, classesPerBlock));
    }
    Combine.CombineFn<ScoredExample, ?, MultiLabelReport> fn = numClasses != null
        ? new MetricsFn(numClasses, options)
        : new SizedByDataFn(options);
    return input
        .apply(options.mode() == MetricsOptions.Mode.EXACT ? "ExactMetrics" : "BinnedMetrics", Combine.globally(fn))
        .setCoder(dev.labelbeam.transforms.coders.MultiLabelReportCoder.of());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    MetricsOptions d = MetricsOptions.defaults();
    builder
        .addIfNotNull(DisplayData.item("numClasses", numClasses).withLabel("Classes (absent: taken from the data)"))
        .add(DisplayData.item("mode", options.mode().jsonName()).withLabel("Evaluation mode"))
        .addIfNotDefault(DisplayData.item("bins", options.bins()).withLabel("Logit bins per class"), d.bins())
        .addIfNotDefault(DisplayData.item("threshold", options.threshold()).withLabel("Decision threshold"), d.threshold())
        .addIfNotDefault(DisplayData.item("minSupportForTuning", options.minSupportForTuning())
            .withLabel("Least positives for a tuned threshold"), d.minSupportForTuning());
  }

  /** The {@code CombineFn}; usable directly, e.g. in {@code Combine.perKey} for per-slice metrics. */
  public static final class MetricsFn extends Combine.CombineFn<ScoredExample, MetricsAccumulator, MultiLabelReport> {
    private static final long serialVersionUID = 1L;
    private final int numClasses;
    private final MetricsOptions options;

    /** Metrics over {@code numClasses} classes as {@code options} say. */
    public MetricsFn(int numClasses, MetricsOptions options) {
      this.numClasses = numClasses;
      this.options = options;
    }

    @Override
    public MetricsAccumulator createAccumulator() {
      return options.newAccumulator(numClasses);
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
      return options.report(acc);
    }

    @Override
    public Coder<MetricsAccumulator> getAccumulatorCoder(CoderRegistry r, Coder<ScoredExample> in) {
      return MetricsAccumulatorCoder.of();
    }
  }

  /** A {@link MetricsFn} created at the first example, sized by its score vector. */
  static final class SizedByDataFn extends Combine.CombineFn<ScoredExample, AccumulatorHolder, MultiLabelReport> {
    private static final long serialVersionUID = 1L;
    private final MetricsOptions options;

    SizedByDataFn(MetricsOptions options) {
      this.options = options;
    }

    @Override
    public AccumulatorHolder createAccumulator() {
      return new AccumulatorHolder();
    }

    @Override
    public AccumulatorHolder addInput(AccumulatorHolder h, ScoredExample in) {
      if (h.acc == null) {
        h.acc = options.newAccumulator(in.scores.length);
      }
      h.acc.add(in);
      return h;
    }

    @Override
    public AccumulatorHolder mergeAccumulators(Iterable<AccumulatorHolder> hs) {
      return AccumulatorHolder.merge(hs);
    }

    @Override
    public MultiLabelReport extractOutput(AccumulatorHolder h) {
      // no examples (also what Combine.globally asks for as its default value): an empty report
      return h.acc == null ? options.emptyReport() : options.report(h.acc);
    }

    @Override
    public Coder<AccumulatorHolder> getAccumulatorCoder(CoderRegistry r, Coder<ScoredExample> in) {
      return AccumulatorHolder.Coder.INSTANCE;
    }
  }
}
