package dev.labelbeam.transforms.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/**
 * A compact, deterministic coder for {@link ManifestEntry} (id, path, label names as UTF-8 strings).
 * Entries cross a shuffle once per image, so Java serialization (class descriptors on every
 * element) is not used; the default coder of the type (see
 * {@link dev.labelbeam.transforms.coders.LabelbeamCoders}).
 */
public final class ManifestEntryCoder extends AtomicCoder<ManifestEntry> {
  private static final long serialVersionUID = 1L;
  private static final ManifestEntryCoder INSTANCE = new ManifestEntryCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();
  private static final ListCoder<String> LABELS = ListCoder.of(STRING);

  /** The coder. */
  public static ManifestEntryCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(ManifestEntry value, OutputStream out) throws IOException {
    STRING.encode(value.id(), out);
    STRING.encode(value.path(), out);
    LABELS.encode(value.labels(), out);
  }

  @Override
  public ManifestEntry decode(InputStream in) throws IOException {
    return new ManifestEntry(STRING.decode(in), STRING.decode(in), LABELS.decode(in));
  }

  @Override
  public void verifyDeterministic() {}
}
