package dev.labelbeam.transforms.images;

/**
 * Reads the bits of one JPEG entropy-coded segment as libjpeg does: {@code FF 00} is a data byte
 * {@code FF}, a run of {@code FF} fill bytes before a marker is skipped, and a marker (or the end of the
 * file) ends the segment. Past its end the reader supplies zeros for look-ahead, but taking a bit that
 * is not there is libjpeg's "premature end of data segment".
 */
final class JpegBitReader {
  private final byte[] b;
  /** The next byte not yet in {@link #buf}. */
  private int pos;
  /** Bits not yet taken, right-aligned; only the low {@link #bits} bits count. */
  private long buf;
  private int bits;
  /** Where the marker that ends the segment starts (its first {@code FF}), once reached; else -1. */
  private int markerAt = -1;

  JpegBitReader(byte[] b, int start) {
    this.b = b;
    this.pos = start;
  }

  /** Loads bytes until at least 57 bits are held or the segment ends. */
  void fill() {
    while (bits <= 56 && markerAt < 0) {
      if (pos >= b.length) {
        markerAt = pos;
        return;
      }
      int c = b[pos] & 0xff;
      if (c == 0xFF) {
        int q = pos + 1;
        while (q < b.length && b[q] == (byte) 0xFF) {
          q++;
        }
        if (q < b.length && b[q] == 0) {
          pos = q + 1; // stuffed: FF (FF ...) 00 is one data byte FF
        } else {
          markerAt = pos;
          return;
        }
      } else {
        pos++;
      }
      buf = (buf << 8) | c;
      bits += 8;
    }
  }

  /** The next {@code n} (1-16) bits without taking them, zeros past the segment's end. */
  int peek(int n) {
    if (bits < 32) {
      fill();
    }
    long v = bits >= n ? buf >>> (bits - n) : buf << (n - bits);
    return (int) v & ((1 << n) - 1);
  }

  /** Takes {@code n} bits (0-16) already looked at. */
  void skip(int n) throws JpegScanCheck.Corrupt {
    if (n > bits) {
      fill();
      if (n > bits) {
        throw new JpegScanCheck.Corrupt("premature end of data segment");
      }
    }
    bits -= n;
  }

  /** Takes {@code n} bits (0-16) and returns them as an unsigned value. */
  int take(int n) throws JpegScanCheck.Corrupt {
    int v = n == 0 ? 0 : peek(n);
    skip(n);
    return v;
  }

  /** Decodes one Huffman symbol. */
  int decode(JpegHuffmanTable t) throws JpegScanCheck.Corrupt {
    int e = t.look[peek(JpegHuffmanTable.LOOKAHEAD)];
    if (e != 0) {
      skip(e >> 8);
      return e & 0xff;
    }
    for (int l = JpegHuffmanTable.LOOKAHEAD + 1; l <= 16; l++) {
      int code = peek(l);
      if (code <= t.maxcode[l]) {
        skip(l);
        return t.symbols[code + t.valoffset[l]];
      }
    }
    skip(16); // a code running past the segment's end is a premature end, as in libjpeg
    throw new JpegScanCheck.Corrupt("bad Huffman code");
  }

  /**
   * Ends the segment at a restart interval's or a scan's end: drops the bits of the current byte and
   * returns how many whole bytes were left before the marker (libjpeg's "extraneous bytes"), leaving
   * the reader at the marker's first {@code FF}.
   */
  int finish() {
    int extra = bits / 8;
    bits = 0;
    buf = 0;
    if (markerAt >= 0) {
      pos = markerAt;
    } else {
      while (pos < b.length) {
        if (b[pos] != (byte) 0xFF) {
          extra++;
          pos++;
          continue;
        }
        int q = pos + 1;
        while (q < b.length && b[q] == (byte) 0xFF) {
          q++;
        }
        if (q < b.length && b[q] == 0) {
          extra += 2;
          pos = q + 1;
        } else {
          break;
        }
      }
    }
    markerAt = -1;
    return extra;
  }

  /** The code of the marker the reader stands at, or -1 at the end of the file. */
  int marker() {
    int q = pos;
    while (q < b.length && b[q] == (byte) 0xFF) {
      q++;
    }
    return q < b.length && q > pos ? b[q] & 0xff : -1;
  }

  /** Moves past the marker the reader stands at and starts a new segment after it. */
  void passMarker() {
    while (pos < b.length && b[pos] == (byte) 0xFF) {
      pos++;
    }
    pos++;
  }

  /** True once the segment was ended by the end of the file rather than by a marker. */
  boolean atEndOfFile() {
    return markerAt >= b.length || (markerAt < 0 && pos >= b.length);
  }

  /** The position of the marker the reader stands at, after {@link #finish()}. */
  int position() {
    return pos;
  }
}
