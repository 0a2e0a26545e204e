package dev.labelbeam.metrics;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The identity of a set of evaluated examples, independent of their order and of how a runner splits
 * them: each id contributes the first 8 bytes of its SHA-256 (big-endian), and the contributions are
 * summed modulo 2^64, so partial sums merge by addition. Two reports with the same number of examples
 * but another set (another split, another dataset) differ in it with probability 1 − 2^-64.
 */
public final class ExampleSet {
  private ExampleSet() {}

  /** One digest per thread: {@code getInstance} costs about as much as hashing a short id. */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  });

  /** The contribution of one example id. */
  public static long of(String id) {
    byte[] h = SHA256.get().digest(id.getBytes(StandardCharsets.UTF_8));
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (h[i] & 0xff);
    }
    return v;
  }

  /** The set of these ids, as {@code metrics.json} records it. */
  public static String ofIds(Iterable<String> ids) {
    long sum = 0;
    for (String id : ids) {
      sum += of(id);
    }
    return hex(sum);
  }

  /** A sum of contributions as {@code metrics.json} records it: 16 hex digits. */
  public static String hex(long sum) {
    return String.format("%016x", sum);
  }
}
