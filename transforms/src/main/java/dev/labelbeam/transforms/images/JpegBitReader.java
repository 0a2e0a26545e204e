package dev.labelbeam.transforms.images;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads the bits of one JPEG scan as libjpeg does, in segments: the scan's entropy-coded data up to
 * the next marker, restart markers ({@code RST0}-{@code RST7}) separating its segments. {@code FF 00}
 * is a data byte {@code FF}, and a run of {@code FF} fill bytes before a marker is skipped.
 *
 * <p>The whole scan is first copied without its stuffing into one buffer (runs between {@code FF}
 * bytes, found eight bytes at a time, copied whole), so that the bit buffer can then be refilled eight
 * bytes at a time without a branch: the walk takes a code per table lookup and a shift. Taking bits past
 * the current segment's end
 * is libjpeg's "premature end of data segment" ({@link #overrun()}); the bits read there are whatever
 * follows (zeros past the scan), which only matters for the verdict, never for memory safety.
 *
 * <p>The fields {@link #pos}, {@link #top} and {@link #bits} are the hot loop's state: {@link
 * JpegScanWalk} copies them into locals for a sequential block and refills them itself; the other
 * walks call {@link #peek}, {@link #skip} and {@link #decode}, which refill when fewer than 32 bits
 * are left.
 */
final class JpegBitReader {
  /** Eight bytes as a big-endian long: the bit buffer's refill (also inlined by {@link JpegScanWalk}). */
  static final VarHandle LONG_BIG_ENDIAN = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  /** Zero bytes after the scan's data: a walk checks for an overrun once per MCU, which takes fewer bits. */
  static final int TAIL = 4096 + 8;

  /** The scan's data, unstuffed, its segments one after another, then {@link #TAIL} zeros. */
  final byte[] data;
  /** Per segment: where it ends in {@link #data}, the marker after it and that marker's position in the file. */
  private int[] segmentEnd = new int[8];
  private int[] segmentMarker = new int[8];
  private int[] markerPosition = new int[8];
  private int segments;
  private int segment;

  /** The next byte of {@link #data} not yet in {@link #top}. */
  int pos;
  /** Bits not yet taken, left-aligned: the next code is in the top bits. */
  long top;
  /** How many of {@link #top}'s bits are loaded (more than 56 after a refill). */
  int bits;

  /**
   * Copies the scan whose data starts at {@code start} (after its SOS segment) out of {@code file} into
   * {@code scratch} (at least {@code file.length + TAIL} bytes; the scans of a file share it).
   */
  JpegBitReader(byte[] file, int start, byte[] scratch) {
    byte[] d = scratch;
    int n = 0;
    int i = start;
    while (i < file.length) {
      int ff = nextFF(file, i);
      System.arraycopy(file, i, d, n, ff - i);
      n += ff - i;
      i = ff;
      if (i >= file.length) {
        break;
      }
      int q = i + 1;
      while (q < file.length && file[q] == (byte) 0xFF) {
        q++;
      }
      if (q < file.length && file[q] == 0) {
        d[n++] = (byte) 0xFF; // stuffed: FF (FF ...) 00 is one data byte FF
        i = q + 1;
        continue;
      }
      int marker = q < file.length ? file[q] & 0xff : -1;
      addSegment(n, marker, i);
      if (marker < 0xD0 || marker > 0xD7) {
        break; // the scan's end: any marker but a restart marker, or the end of the file
      }
      i = q + 1;
    }
    if (i >= file.length && (segments == 0 || segmentMarker[segments - 1] >= 0)) {
      addSegment(n, -1, file.length); // the file ends inside the scan
    }
    java.util.Arrays.fill(d, n, n + TAIL, (byte) 0);
    data = d;
  }

  /** The first {@code FF} byte at or after {@code i} ({@code file.length} when none), eight bytes at a time. */
  private static int nextFF(byte[] file, int i) {
    for (; i + 8 <= file.length; i += 8) {
      long x = ~(long) LONG_LE.get(file, i); // FF bytes become 00
      long zero = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
      if (zero != 0) {
        return i + Long.numberOfTrailingZeros(zero) / 8; // exact for the lowest (first) zero byte
      }
    }
    while (i < file.length && file[i] != (byte) 0xFF) {
      i++;
    }
    return i;
  }

  private void addSegment(int end, int marker, int position) {
    if (segments == segmentEnd.length) {
      segmentEnd = java.util.Arrays.copyOf(segmentEnd, 2 * segments);
      segmentMarker = java.util.Arrays.copyOf(segmentMarker, 2 * segments);
      markerPosition = java.util.Arrays.copyOf(markerPosition, 2 * segments);
    }
    segmentEnd[segments] = end;
    segmentMarker[segments] = marker;
    markerPosition[segments] = position;
    segments++;
  }

  /** Loads whole bytes until more than 56 bits are held; no branch. */
  void refill() {
    int n = (63 - bits) >>> 3;
    top |= (long) LONG_BIG_ENDIAN.get(data, pos) >>> bits;
    pos += n;
    bits += n << 3;
  }

  /** True once a bit past the current segment's end was taken. */
  boolean overrun() {
    return 8L * pos - bits > 8L * segmentEnd[segment];
  }

  /** The next {@code n} (1-16) bits without taking them. */
  int peek(int n) {
    if (bits < 32) {
      refill();
    }
    return (int) (top >>> (64 - n));
  }

  /** Takes {@code n} bits (0-16); {@link #overrun()} tells whether they were there. */
  void skip(int n) {
    if (bits < 32) {
      refill();
    }
    top <<= n;
    bits -= n;
  }

  /** Takes {@code n} bits (0-16) and returns them as an unsigned value. */
  int take(int n) {
    int v = n == 0 ? 0 : peek(n);
    skip(n);
    return v;
  }

  /** Decodes one Huffman symbol. */
  int decode(JpegHuffmanTable t) throws JpegScanCheck.Corrupt {
    int e = t.look[peek(JpegHuffmanTable.LOOKAHEAD)];
    if (e != 0) {
      top <<= e >> 8;
      bits -= e >> 8;
      return e & 0xff;
    }
    return slowDecode(t);
  }

  /** A code longer than the look-ahead: libjpeg's canonical search, 12 to 16 bits. */
  int slowDecode(JpegHuffmanTable t) throws JpegScanCheck.Corrupt {
    if (bits < 32) {
      refill();
    }
    int code16 = (int) (top >>> 48);
    for (int l = JpegHuffmanTable.LOOKAHEAD + 1; l <= 16; l++) {
      int code = code16 >>> (16 - l);
      if (code <= t.maxcode[l]) {
        top <<= l;
        bits -= l;
        return t.symbols[code + t.valoffset[l]];
      }
    }
    skip(16);
    // a code running past the segment's end is a premature end, as in libjpeg
    throw new JpegScanCheck.Corrupt(overrun() ? "premature end of data segment" : "bad Huffman code");
  }

  /**
   * Ends the current segment at a restart interval's or a scan's end: how many whole bytes were left
   * in it after the last bit taken (libjpeg's "extraneous bytes").
   */
  int finish() {
    long taken = 8L * pos - bits;
    return (int) (segmentEnd[segment] - (taken + 7) / 8);
  }

  /** The marker that ends the current segment, or -1 when the file ends there. */
  int marker() {
    return segmentMarker[segment];
  }

  /** Starts the next segment (after a restart marker). */
  void nextSegment() {
    pos = segmentEnd[segment];
    segment = Math.min(segment + 1, segments - 1);
    top = 0;
    bits = 0;
  }

  /** True when the current segment ends at the end of the file rather than at a marker. */
  boolean atEndOfFile() {
    return segmentMarker[segment] < 0;
  }

  /** Where, in the file, the marker that ends the current segment starts (its first {@code FF}). */
  int position() {
    return markerPosition[segment];
  }
}
