package dev.labelbeam.transforms.evaluation;

import dev.labelbeam.metrics.MetricsAccumulator;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;

/**
 * The compact coder of a {@link MetricsAccumulator} ({@link MetricsAccumulator#writeTo}): variable-length
 * counts and only the non-zero histogram cells, instead of Java serialization of every cell.
 */
public final class MetricsAccumulatorCoder extends AtomicCoder<MetricsAccumulator> {
  private static final long serialVersionUID = 1L;
  private static final MetricsAccumulatorCoder INSTANCE = new MetricsAccumulatorCoder();

  /** The coder. */
  public static MetricsAccumulatorCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(MetricsAccumulator value, OutputStream out) throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    value.writeTo(d);
    d.flush();
  }

  @Override
  public MetricsAccumulator decode(InputStream in) throws IOException {
    return MetricsAccumulator.readFrom(new DataInputStream(in));
  }
}
