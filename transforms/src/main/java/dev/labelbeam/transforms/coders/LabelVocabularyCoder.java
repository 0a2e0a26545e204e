package dev.labelbeam.transforms.coders;

import dev.labelbeam.shard.LabelVocabulary;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/** A deterministic coder for {@link LabelVocabulary}: its label names in class order. */
public final class LabelVocabularyCoder extends AtomicCoder<LabelVocabulary> {
  private static final long serialVersionUID = 1L;
  private static final LabelVocabularyCoder INSTANCE = new LabelVocabularyCoder();
  private static final ListCoder<String> NAMES = ListCoder.of(StringUtf8Coder.of());

  /** The coder. */
  public static LabelVocabularyCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(LabelVocabulary value, OutputStream out) throws IOException {
    NAMES.encode(value.names(), out);
  }

  @Override
  public LabelVocabulary decode(InputStream in) throws IOException {
    return new LabelVocabulary(NAMES.decode(in));
  }

  @Override
  public void verifyDeterministic() {}
}
