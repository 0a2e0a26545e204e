package dev.labelbeam.transforms.evaluation;

import static dev.labelbeam.transforms.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
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
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Per-class and averaged multi-label metrics over scored examples (true label bitset and per-class
 * scores), as one {@link MultiLabelReport} element: support, TP/FP/FN/TN, precision, recall and F1
 * at the threshold, ROC AUC and average precision, tuned per-class thresholds, micro, macro and
 * support-weighted averages, mAP, samples F1 and label cardinality.
 *
 * <pre>{@code
 * PCollection<MultiLabelReport> report = scored.apply(EvaluateMultiLabel.create().withNumClasses(numClasses));
 * }</pre>
 *
 * <p>Binned mode (the default, for large data) keeps per class a histogram of the positives' and
 * negatives' scores over {@link LogitBins}: memory O(classes × bins) whatever the number of
 * examples, accumulators merge by addition in any order. AUC and AP treat scores in one bin as
 * tied, and each class's report carries the bound {@code sum_b pos_b neg_b / (2 P N)} on the AUC's
 * distance from the exact value. Confusion counts at the fixed threshold are exact in both modes.
 * Exact mode ({@code MetricsOptions.withMode(EXACT)}) keeps every score (memory O(examples × classes)) and computes everything exactly.
 */
@AutoValue
public abstract class EvaluateMultiLabel extends PTransform<PCollection<ScoredExample>, PCollection<MultiLabelReport>> {
  private static final long serialVersionUID = 1L;

  /**
   * Classes per block in binned mode: the examples are cut into blocks of this many classes and
   * combined per block ({@link ClassBlockMetrics}), so that no accumulator holds every class.
   */
  public static final int CLASSES_PER_BLOCK = 256;

  /** The number of classes, or null when it is taken from the first example's score vector. */
  public abstract @Nullable Integer numClasses();

  /** The options this transform computes with. */
  public abstract MetricsOptions options();

  /** Classes per block in binned mode. */
  public abstract int classesPerBlock();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setNumClasses(Integer n);

    abstract Builder setOptions(MetricsOptions o);

    abstract Builder setClassesPerBlock(int n);

    abstract EvaluateMultiLabel build();
  }

  /**
   * Metrics with {@link MetricsOptions#defaults()} (binned), the class count taken from the examples'
   * score vectors (for pipelines where the model, and so the number of classes, is known only when the
   * data arrives) until {@link #withNumClasses} gives it.
   */
  public static EvaluateMultiLabel create() {
    return new AutoValue_EvaluateMultiLabel.Builder().setOptions(MetricsOptions.defaults())
        .setClassesPerBlock(CLASSES_PER_BLOCK).build();
  }

  /** The number of classes, >= 1: every example must have that many scores. */
  public EvaluateMultiLabel withNumClasses(int n) {
    checkArgument(n >= 1, "numClasses must be >= 1, was %s", n);
    return toBuilder().setNumClasses(n).build();
  }

  /**
   * Mode (binned or exact), bins, threshold or per-class thresholds, tuning support ({@link MetricsOptions},
   * itself immutable with a {@code withX} per option); default {@link MetricsOptions#defaults()}.
   */
  public EvaluateMultiLabel withOptions(MetricsOptions o) {
    checkArgument(o != null, "metrics options must be set, was %s", o);
    return toBuilder().setOptions(o).build();
  }

  /**
   * Classes per block in binned mode (>= 1; default {@value #CLASSES_PER_BLOCK}): a block's accumulator
   * holds {@code 8 × classesPerBlock × bins} bytes, 2 MiB at the defaults.
   */
  public EvaluateMultiLabel withClassesPerBlock(int n) {
    checkArgument(n >= 1, "classesPerBlock must be >= 1, was %s", n);
    return toBuilder().setClassesPerBlock(n).build();
  }

  @Override
  public PCollection<MultiLabelReport> expand(PCollection<ScoredExample> input) {
    MetricsOptions options = options();
    Integer numClasses = numClasses();
    if (options.mode() == MetricsOptions.Mode.BINNED) {
      return input.apply("BinnedMetricsByClassBlock", new ClassBlockMetrics(numClasses(), options(), classesPerBlock()));
    }
    Combine.CombineFn<ScoredExample, ?, MultiLabelReport> fn = numClasses != null
        ? new MetricsFn(numClasses, options)
        : new SizedByDataFn(options);
    return input
        .apply(options.mode() == MetricsOptions.Mode.EXACT ? "ExactMetrics" : "BinnedMetrics", Combine.globally(fn))
        .setCoder(dev.labelbeam.transforms.coders.JsonCoders.report());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    MetricsOptions d = MetricsOptions.defaults();
    builder
        .addIfNotNull(DisplayData.item("numClasses", numClasses()).withLabel("Classes (absent: taken from the data)"))
        .add(DisplayData.item("mode", options().mode().jsonName()).withLabel("Evaluation mode"))
        .addIfNotDefault(DisplayData.item("bins", options().bins()).withLabel("Logit bins per class"), d.bins())
        .addIfNotDefault(DisplayData.item("threshold", options().threshold()).withLabel("Decision threshold"), d.threshold())
        .addIfNotDefault(DisplayData.item("minSupportForTuning", options().minSupportForTuning())
            .withLabel("Least positives for a tuned threshold"), d.minSupportForTuning())
        .addIfNotDefault(DisplayData.item("classesPerBlock", classesPerBlock()).withLabel("Classes per block"),
            CLASSES_PER_BLOCK);
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
