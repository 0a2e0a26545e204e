package dev.labelbeam.transforms.coders;

import dev.labelbeam.shard.DatasetInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/** A coder for {@link DatasetInfo} as its {@code dataset.json} text (one element per run). */
public final class DatasetInfoCoder extends AtomicCoder<DatasetInfo> {
  private static final long serialVersionUID = 1L;
  private static final DatasetInfoCoder INSTANCE = new DatasetInfoCoder();

  /** The coder. */
  public static DatasetInfoCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(DatasetInfo value, OutputStream out) throws IOException {
    StringUtf8Coder.of().encode(value.toJson(), out);
  }

  @Override
  public DatasetInfo decode(InputStream in) throws IOException {
    return DatasetInfo.fromJson(StringUtf8Coder.of().decode(in));
  }
}
