package dev.labelbeam.transforms.coders;

import dev.labelbeam.shard.ShardDigest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** A coder for a shard's {@link ShardDigest}: records and bytes as var-longs, the SHA-256 as text. */
public final class ShardDigestCoder extends AtomicCoder<ShardDigest> {
  private static final long serialVersionUID = 1L;
  private static final ShardDigestCoder INSTANCE = new ShardDigestCoder();

  /** The coder. */
  public static ShardDigestCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(ShardDigest d, OutputStream out) throws IOException {
    VarLongCoder.of().encode(d.records(), out);
    VarLongCoder.of().encode(d.bytes(), out);
    StringUtf8Coder.of().encode(d.sha256(), out);
  }

  @Override
  public ShardDigest decode(InputStream in) throws IOException {
    return new ShardDigest(VarLongCoder.of().decode(in), VarLongCoder.of().decode(in), StringUtf8Coder.of().decode(in));
  }
}
