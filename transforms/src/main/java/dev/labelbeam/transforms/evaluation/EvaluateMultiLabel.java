package dev.labelbeam.transforms.evaluation;

import static dev.labelbeam.transforms.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;

/**
 * Per-class and averaged multi-label metrics over scored examples, as one {@link MultiLabelReport}
 * element.
 *
 * <pre>{@code
 * PCollection<MultiLabelReport> report =
 *     scored.apply(EvaluateMultiLabel.exact(numClasses).withThreshold(0.5));
 * }</pre>
 *
 * <p>The exact mode keeps every (example, scores) pair in the combiner: memory O(examples ×
 * classes). It suits validation splits up to a few million cells.
 */
public final class EvaluateMultiLabel extends PTransform<PCollection<ScoredExample>, PCollection<MultiLabelReport>> {
  private static final long serialVersionUID = 1L;

  private final int numClasses;
  private final double threshold;

  private EvaluateMultiLabel(int numClasses, double threshold) {
    this.numClasses = numClasses;
    this.threshold = threshold;
  }

  /** Exact metrics for {@code numClasses} classes (at least 1), threshold 0.5. */
  public static EvaluateMultiLabel exact(int numClasses) {
    checkArgument(numClasses >= 1, "numClasses must be >= 1, was %s", numClasses);
    return new EvaluateMultiLabel(numClasses, 0.5);
  }

  /** Decision threshold in [0, 1]: a score at or above it predicts positive. */
  public EvaluateMultiLabel withThreshold(double t) {
    checkArgument(t >= 0 && t <= 1, "threshold must be in [0, 1], was %s", t);
    return new EvaluateMultiLabel(numClasses, t);
  }

  @Override
  public PCollection<MultiLabelReport> expand(PCollection<ScoredExample> input) {
    return input
        .apply("ExactMetrics", Combine.globally(new ExactFn(numClasses, threshold)))
        .setCoder(SerializableCoder.of(MultiLabelReport.class));
  }

  static final class ExactFn extends Combine.CombineFn<ScoredExample, List<ScoredExample>, MultiLabelReport> {
    private static final long serialVersionUID = 1L;
    private final int numClasses;
    private final double threshold;

    ExactFn(int numClasses, double threshold) {
      this.numClasses = numClasses;
      this.threshold = threshold;
    }

    @Override
    public List<ScoredExample> createAccumulator() {
      return new ArrayList<>();
    }

    @Override
    public List<ScoredExample> addInput(List<ScoredExample> acc, ScoredExample in) {
      acc.add(in);
      return acc;
    }

    @Override
    public List<ScoredExample> mergeAccumulators(Iterable<List<ScoredExample>> accs) {
      List<ScoredExample> out = new ArrayList<>();
      accs.forEach(out::addAll);
      return out;
    }

    @Override
    public MultiLabelReport extractOutput(List<ScoredExample> acc) {
      // sort by id so that the result does not depend on the order of merging
      acc.sort((a, b) -> a.id.compareTo(b.id));
      return ExactMetrics.compute(acc, numClasses, threshold);
    }

    @Override
    public Coder<List<ScoredExample>> getAccumulatorCoder(CoderRegistry r, Coder<ScoredExample> in) {
      return ListCoder.of(ScoredExampleCoder.of());
    }
  }
}
