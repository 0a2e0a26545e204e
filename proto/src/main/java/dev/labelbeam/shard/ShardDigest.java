package dev.labelbeam.shard;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * What {@code dataset.json} records of one shard file, so that a shard cut short, grown, or changed
 * after preprocess is found: its records, its size in bytes and the SHA-256 of its bytes (as stored,
 * gzip included). The trainer and {@code evaluate} check the size of every shard before reading and
 * the record count at each shard's end; {@code labelbeam check} also checks the digest.
 *
 * @param records TFRecord records in the shard
 * @param bytes the file's size in bytes
 * @param sha256 lowercase hex SHA-256 of the file's bytes
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ShardDigest(long records, long bytes, String sha256) implements Serializable {

  /**
   * Reads a whole shard once: counts its records (checking their CRCs) and hashes its bytes.
   *
   * @param raw the file's bytes, closed by this method
   * @param name the file's name; a name ending in {@code .gz} is read through gzip
   */
  public static ShardDigest of(InputStream raw, String name) throws IOException {
    return read(raw, name, data -> { });
  }

  /** What a reader of a shard's records does with each, in file order. */
  @FunctionalInterface
  public interface RecordConsumer {
    void accept(byte[] data) throws IOException;
  }

  /**
   * Like {@link #of}, handing each record to {@code each} on the way: one pass over the file both
   * checks it against its digest and reads its content (as {@code labelbeam check} does).
   */
  public static ShardDigest read(InputStream raw, String name, RecordConsumer each) throws IOException {
    MessageDigest sha = newSha256();
    CountingStream counted = new CountingStream(new DigestInputStream(raw, sha));
    long records = 0;
    try (InputStream in = name.endsWith(".gz") ? new GZIPInputStream(counted, 1 << 16) : counted;
        TfRecordReader r = new TfRecordReader(in, name)) {
      for (byte[] data = r.next(); data != null; data = r.next()) {
        each.accept(data);
        records++;
      }
      counted.transferTo(java.io.OutputStream.nullOutputStream()); // gzip trailer bytes, if any
    }
    return new ShardDigest(records, counted.count, HexFormat.of().formatHex(sha.digest()));
  }

  /**
   * The problem with a shard of {@code actualBytes} bytes that should match this digest, or null.
   * The message says what to do.
   */
  public String sizeProblem(String shard, long actualBytes) {
    if (actualBytes == bytes) {
      return null;
    }
    return shard + " has " + actualBytes + " bytes, dataset.json recorded " + bytes
        + ": the shard was cut, grown or replaced after preprocess. Run `labelbeam check` on the folder, "
        + "and preprocess again if it fails";
  }

  /** The problem with a shard from which {@code read} records were read to its end, or null. */
  public String countProblem(String shard, long read) {
    if (read == records) {
      return null;
    }
    return shard + " holds " + read + " records, dataset.json recorded " + records
        + ": the shard was changed after preprocess. Run `labelbeam check` on the folder, and preprocess again";
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  /** Counts the bytes read through it. */
  private static final class CountingStream extends java.io.FilterInputStream {
    long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long k = super.skip(n);
      count += k;
      return k;
    }
  }
}
