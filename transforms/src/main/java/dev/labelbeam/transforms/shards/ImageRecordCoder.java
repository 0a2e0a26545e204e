package dev.labelbeam.transforms.shards;

import dev.labelbeam.shard.ImageRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;

/** Encodes an {@link ImageRecord} as its {@code tf.train.Example} bytes: compact and deterministic. */
public final class ImageRecordCoder extends AtomicCoder<ImageRecord> {
  private static final long serialVersionUID = 1L;
  private static final ImageRecordCoder INSTANCE = new ImageRecordCoder();

  public static ImageRecordCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(ImageRecord value, OutputStream out) throws IOException {
    ByteArrayCoder.of().encode(value.toBytes(), out);
  }

  @Override
  public ImageRecord decode(InputStream in) throws IOException {
    return ImageRecord.parse(ByteArrayCoder.of().decode(in));
  }

  @Override
  public void verifyDeterministic() {}
}
