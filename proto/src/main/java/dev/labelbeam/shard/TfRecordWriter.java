package dev.labelbeam.shard;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes TFRecord framing to a stream, for code outside Beam (tests, tools); pipelines use Beam's
 * {@code TFRecordIO}, which writes the same bytes.
 */
public final class TfRecordWriter implements Closeable {
  private final OutputStream out;

  public TfRecordWriter(OutputStream out) {
    this.out = new BufferedOutputStream(out, 1 << 16);
  }

  /** Appends one framed record. */
  /** Pushes the records written so far to the underlying stream. */
  public void flush() throws IOException {
    out.flush();
  }

  public void write(byte[] data) throws IOException {
    out.write(TfRecordFraming.frame(data));
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
