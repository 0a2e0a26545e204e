package dev.labelbeam.transforms.evaluation;

import dev.labelbeam.metrics.MetricsAccumulator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.BooleanCoder;

/**
 * A combine's accumulator that is created at the first input, because only the input tells its
 * size (the class count of a model known when the data arrives, or of a class block): empty until then.
 */
final class AccumulatorHolder {
  MetricsAccumulator acc;

  /** Merges the non-empty holders into a new one (the first accumulator absorbs the others). */
  static AccumulatorHolder merge(Iterable<AccumulatorHolder> holders) {
    AccumulatorHolder out = new AccumulatorHolder();
    for (AccumulatorHolder h : holders) {
      if (h.acc != null) {
        out.acc = out.acc == null ? h.acc : out.acc.merge(h.acc);
      }
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AccumulatorHolder && Objects.equals(acc, ((AccumulatorHolder) o).acc);
  }

  @Override
  public int hashCode() {
    return acc == null ? 0 : acc.hashCode();
  }

  /** Empty, or the accumulator in its compact encoding. */
  static final class Coder extends AtomicCoder<AccumulatorHolder> {
    private static final long serialVersionUID = 1L;
    static final Coder INSTANCE = new Coder();

    @Override
    public void encode(AccumulatorHolder h, OutputStream out) throws IOException {
      BooleanCoder.of().encode(h.acc != null, out);
      if (h.acc != null) {
        MetricsAccumulatorCoder.of().encode(h.acc, out);
      }
    }

    @Override
    public AccumulatorHolder decode(InputStream in) throws IOException {
      AccumulatorHolder h = new AccumulatorHolder();
      if (BooleanCoder.of().decode(in)) {
        h.acc = MetricsAccumulatorCoder.of().decode(in);
      }
      return h;
    }
  }
}
