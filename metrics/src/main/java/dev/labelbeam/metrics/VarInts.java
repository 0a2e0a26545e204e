package dev.labelbeam.metrics;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Unsigned LEB128 variable-length integers (7 bits a byte), as protobuf writes them. */
final class VarInts {
  private VarInts() {}

  /** Writes a non-negative value in 1 to 10 bytes. */
  static void write(DataOutput out, long v) throws IOException {
    if (v < 0) {
      throw new IllegalArgumentException("a variable-length count must be >= 0, was " + v);
    }
    while ((v & ~0x7FL) != 0) {
      out.writeByte((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.writeByte((int) v);
  }

  /** Reads what {@link #write} wrote. */
  static long read(DataInput in) throws IOException {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.readUnsignedByte();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new IOException("malformed variable-length integer");
  }
}
