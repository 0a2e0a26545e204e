package dev.labelbeam.transforms.evaluation;

import dev.labelbeam.metrics.ScoredExample;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;

/** Compact coder for {@link ScoredExample}: id, bitset, the scores as raw floats, then the float64 scores when given. */
public final class ScoredExampleCoder extends AtomicCoder<ScoredExample> {
  private static final long serialVersionUID = 1L;
  private static final ScoredExampleCoder INSTANCE = new ScoredExampleCoder();

  public static ScoredExampleCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(ScoredExample v, OutputStream out) throws IOException {
    StringUtf8Coder.of().encode(v.id, out);
    ByteArrayCoder.of().encode(v.labelBits, out);
    VarIntCoder.of().encode(v.scores.length, out);
    DataOutputStream d = new DataOutputStream(out);
    for (float f : v.scores) {
      d.writeFloat(f);
    }
    d.writeBoolean(v.scores64 != null); // float64 scores as given (a predictions file), else float32 only
    if (v.scores64 != null) {
      for (double x : v.scores64) {
        d.writeDouble(x);
      }
    }
    d.flush();
  }

  @Override
  public ScoredExample decode(InputStream in) throws IOException {
    String id = StringUtf8Coder.of().decode(in);
    byte[] bits = ByteArrayCoder.of().decode(in);
    int n = VarIntCoder.of().decode(in);
    DataInputStream d = new DataInputStream(in);
    float[] s = new float[n];
    for (int i = 0; i < n; i++) {
      s[i] = d.readFloat();
    }
    double[] s64 = null;
    if (d.readBoolean()) {
      s64 = new double[n];
      for (int i = 0; i < n; i++) {
        s64[i] = d.readDouble();
      }
    }
    return new ScoredExample(id, bits, s, s64);
  }

  @Override
  public void verifyDeterministic() {}
}
