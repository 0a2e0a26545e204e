package dev.labelbeam.shard;

import java.util.Arrays;

/**
 * The packed label bitset of the shard contract: {@code ceil(C/8)} bytes, label {@code i} is bit
 * {@code i % 8} (least significant bit first) of byte {@code i / 8}, as numpy's
 * {@code packbits(bitorder="little")} writes it. 11,000 classes take 1,375 bytes instead of the
 * 44 KB of a float vector.
 *
 * <p>Pure functions, no state. Bits past {@code numClasses} in the last byte are always zero when
 * written here and rejected when read by {@link #validate}.
 */
public final class LabelBits {
  /** Upper bound on classes accepted here; far above the 11,000 of the target datasets. */
  public static final int MAX_CLASSES = 1 << 24;

  private LabelBits() {}

  /** Number of bytes that hold {@code numClasses} bits. */
  public static int numBytes(int numClasses) {
    checkClasses(numClasses);
    return (numClasses + 7) >>> 3;
  }

  /** Packs the given class indices (any order, duplicates allowed) into a new bitset. */
  public static byte[] pack(int[] positives, int numClasses) {
    byte[] bits = new byte[numBytes(numClasses)];
    for (int c : positives) {
      if (c < 0 || c >= numClasses) {
        throw new IllegalArgumentException(
            "class index " + c + " is outside [0, " + numClasses + ")");
      }
      bits[c >>> 3] |= (byte) (1 << (c & 7));
    }
    return bits;
  }

  /** Packs a dense 0/1 vector (non-zero means positive). */
  public static byte[] packDense(boolean[] dense) {
    byte[] bits = new byte[numBytes(dense.length)];
    for (int c = 0; c < dense.length; c++) {
      if (dense[c]) {
        bits[c >>> 3] |= (byte) (1 << (c & 7));
      }
    }
    return bits;
  }

  /** True when class {@code c} is set. */
  public static boolean get(byte[] bits, int c) {
    return (bits[c >>> 3] & (1 << (c & 7))) != 0;
  }

  /** The positive class indices, ascending. */
  public static int[] unpack(byte[] bits, int numClasses) {
    validate(bits, numClasses);
    int[] out = new int[count(bits)];
    int n = 0;
    for (int c = 0; c < numClasses; c++) {
      if (get(bits, c)) {
        out[n++] = c;
      }
    }
    return out;
  }

  /**
   * Writes the bitset as 0/1 floats into {@code dst[offset .. offset + numClasses)}: the form a
   * training batch's target tensor takes, without an intermediate array.
   */
  public static void unpackInto(byte[] bits, int numClasses, float[] dst, int offset) {
    validate(bits, numClasses);
    Arrays.fill(dst, offset, offset + numClasses, 0f);
    for (int b = 0; b < bits.length; b++) {
      int v = bits[b] & 0xff;
      while (v != 0) {
        int low = Integer.numberOfTrailingZeros(v);
        dst[offset + (b << 3) + low] = 1f;
        v &= v - 1;
      }
    }
  }

  /** Number of positive labels (the {@code label/count} feature). */
  public static int count(byte[] bits) {
    int n = 0;
    for (byte b : bits) {
      n += Integer.bitCount(b & 0xff);
    }
    return n;
  }

  /**
   * Checks the length and that no bit past {@code numClasses} is set.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static void validate(byte[] bits, int numClasses) {
    int expected = numBytes(numClasses);
    if (bits.length != expected) {
      throw new IllegalArgumentException(
          "label bitset has " + bits.length + " bytes, expected " + expected + " for "
              + numClasses + " classes");
    }
    int rest = numClasses & 7;
    if (rest != 0 && (bits[expected - 1] & 0xff) >>> rest != 0) {
      throw new IllegalArgumentException(
          "label bitset sets bits past class " + (numClasses - 1));
    }
  }

  private static void checkClasses(int numClasses) {
    if (numClasses < 1 || numClasses > MAX_CLASSES) {
      throw new IllegalArgumentException(
          "numClasses must be in [1, " + MAX_CLASSES + "], was " + numClasses);
    }
  }
}
