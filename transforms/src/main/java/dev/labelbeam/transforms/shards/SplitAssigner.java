package dev.labelbeam.transforms.shards;

import static dev.labelbeam.transforms.Preconditions.checkArgument;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Deterministic train/val/test split by hashing the image id: the same id lands in the same split
 * on every run, runner and machine, whatever the input order. The first 8 bytes of SHA-256 of
 * {@code seed + ":" + id} map to a point in [0, 1); points below {@code valFraction} go to
 * {@code val}, the next {@code testFraction} to {@code test}, the rest to {@code train}.
 */
public final class SplitAssigner implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String TRAIN = "train";
  public static final String VAL = "val";
  public static final String TEST = "test";

  private final double valFraction;
  private final double testFraction;
  private final String seed;

  public SplitAssigner(double valFraction, double testFraction, String seed) {
    checkArgument(valFraction >= 0 && valFraction < 1, "valFraction must be in [0, 1), was %s", valFraction);
    checkArgument(testFraction >= 0 && testFraction < 1, "testFraction must be in [0, 1), was %s", testFraction);
    checkArgument(valFraction + testFraction < 1,
        "valFraction + testFraction must be below 1, was %s", valFraction + testFraction);
    this.valFraction = valFraction;
    this.testFraction = testFraction;
    this.seed = seed == null ? "" : seed;
  }

  /** The split of an id. */
  public String assign(String id) {
    double u = unitHash(seed + ":" + id);
    if (u < valFraction) {
      return VAL;
    }
    if (u < valFraction + testFraction) {
      return TEST;
    }
    return TRAIN;
  }

  static double unitHash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      long bits = ByteBuffer.wrap(d).getLong() >>> 11; // 53 bits
      return bits / (double) (1L << 53);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
