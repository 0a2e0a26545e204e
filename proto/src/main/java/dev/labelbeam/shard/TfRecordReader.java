package dev.labelbeam.shard;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads TFRecord files without a Beam runner (the trainer's loader threads use it). Both masked
 * CRC32Cs are verified; corruption or truncation raises {@link CorruptRecordException} naming the
 * file and the byte offset of the record. Files ending in {@code .gz} are read through gzip (offsets
 * are then into the uncompressed stream).
 *
 * <p>Not thread-safe: one reader per thread.
 */
public final class TfRecordReader implements Closeable {
  /** Records larger than this are treated as corruption rather than allocated. */
  public static final long MAX_RECORD_BYTES = 1L << 30;

  private final String source;
  private final InputStream in;
  private final byte[] header = new byte[TfRecordFraming.HEADER_BYTES];
  private final byte[] footer = new byte[TfRecordFraming.FOOTER_BYTES];
  private long offset;

  /** Reads from a stream; {@code source} names it in error messages. */
  public TfRecordReader(InputStream in, String source) {
    this.in = in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 1 << 16);
    this.source = source;
  }

  /** Opens a file, through gzip when its name ends in {@code .gz}. */
  public static TfRecordReader open(Path file) throws IOException {
    InputStream raw = Files.newInputStream(file);
    if (file.getFileName().toString().endsWith(".gz")) {
      raw = new GZIPInputStream(raw, 1 << 16);
    }
    return new TfRecordReader(raw, file.toString());
  }

  /** Byte offset of the next record. */
  public long offset() {
    return offset;
  }

  /**
   * The next record's data, or {@code null} at a clean end of file.
   *
   * @throws CorruptRecordException on a CRC mismatch or a truncated record
   */
  public byte[] next() throws IOException {
    int got = readFully(header, 0, header.length);
    if (got == 0) {
      return null;
    }
    if (got < header.length) {
      throw corrupt("truncated record header (" + got + " of 12 bytes)");
    }
    ByteBuffer hb = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    long length = hb.getLong(0);
    int lengthCrc = hb.getInt(8);
    if (TfRecordFraming.maskedCrc32c(header, 0, 8) != lengthCrc) {
      throw corrupt("length CRC mismatch");
    }
    if (length < 0 || length > MAX_RECORD_BYTES) {
      throw corrupt("record length " + length + " is out of range");
    }
    byte[] data = readData((int) length);
    if (readFully(footer, 0, footer.length) < footer.length) {
      throw corrupt("truncated record: data CRC missing");
    }
    int dataCrc = ByteBuffer.wrap(footer).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    if (TfRecordFraming.maskedCrc32c(data, 0, data.length) != dataCrc) {
      throw corrupt("data CRC mismatch");
    }
    offset += TfRecordFraming.HEADER_BYTES + length + TfRecordFraming.FOOTER_BYTES;
    return data;
  }

  /** Memory for a record is taken as its bytes arrive: a length that lies costs no more than the file's own size. */
  private static final int CHUNK = 1 << 20;

  private byte[] readData(int length) throws IOException {
    byte[] data = new byte[Math.min(length, CHUNK)];
    int have = 0;
    while (have < length) {
      if (have == data.length) {
        data = java.util.Arrays.copyOf(data, (int) Math.min(length, 2L * data.length));
      }
      int got = readFully(data, have, data.length - have);
      have += got;
      if (got == 0) {
        throw corrupt("truncated record data (expected " + length + " bytes, found " + have + ")");
      }
    }
    return data;
  }

  private CorruptRecordException corrupt(String what) {
    return new CorruptRecordException(source + " at byte offset " + offset + ": " + what);
  }

  /** Reads until {@code len} bytes or end of stream; returns how many were read. */
  private int readFully(byte[] b, int off, int len) throws IOException {
    int total = 0;
    while (total < len) {
      int n;
      try {
        n = in.read(b, off + total, len - total);
      } catch (EOFException e) {
        // GZIPInputStream signals a truncated member this way
        break;
      }
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  /** A record whose framing or checksums are wrong. */
  public static final class CorruptRecordException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorruptRecordException(String message) {
      super(message);
    }
  }
}
