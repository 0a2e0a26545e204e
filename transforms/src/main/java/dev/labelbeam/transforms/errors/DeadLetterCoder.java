package dev.labelbeam.transforms.errors;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/** A compact, deterministic coder for {@link DeadLetter}. */
public final class DeadLetterCoder extends AtomicCoder<DeadLetter> {
  private static final long serialVersionUID = 1L;
  private static final DeadLetterCoder INSTANCE = new DeadLetterCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();

  public static DeadLetterCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(DeadLetter value, OutputStream out) throws IOException {
    STRING.encode(value.id(), out);
    STRING.encode(value.path(), out);
    STRING.encode(value.reason().name(), out);
    STRING.encode(value.message(), out);
  }

  @Override
  public DeadLetter decode(InputStream in) throws IOException {
    return new DeadLetter(
        STRING.decode(in), STRING.decode(in), Reason.valueOf(STRING.decode(in)), STRING.decode(in));
  }

  @Override
  public void verifyDeterministic() {}
}
