package dev.labelbeam.transforms.images;

/**
 * One JPEG Huffman table (a DHT entry) ready for decoding: an 11-bit look-ahead table for the short
 * codes, the canonical {@code maxcode}/{@code valoffset} arrays for the long ones, as libjpeg builds
 * them ({@code jpeg_make_d_derived_tbl}). Immutable.
 */
final class JpegHuffmanTable {
  /** Bits looked up at once; longer codes take the canonical per-length search. */
  static final int LOOKAHEAD = 11;
  /** Bits of the {@link #skip} table's index. */
  static final int SKIP_BITS = 11;
  /** {@link #skip} entry: a coefficient follows (a nonzero one, not a run of zeros or an end of block). */
  static final int SKIP_NONZERO = 1 << 12;
  /** {@link #skip} entry advance of an end of block. */
  static final int SKIP_EOB = 64;

  /** {@code (length << 8) | symbol} for each 11-bit prefix, 0 when the code is longer than 11 bits. */
  final char[] look = new char[1 << LOOKAHEAD];
  /** Largest code of each length 1-16 ({@code -1} when none), then a sentinel at 17. */
  final int[] maxcode = new int[18];
  /** Index in {@link #symbols} of the code {@code c} of length {@code l} is {@code c + valoffset[l]}. */
  final int[] valoffset = new int[18];
  final int[] symbols;
  /**
   * For each {@value #SKIP_BITS}-bit prefix that starts with a code of at most that length, what a walk
   * that does not need the coefficient's value does with it: the bits to take (the code and the
   * symbol's extra bits, bits 0-4), how far the coefficient index moves (bits 5-11: r + 1 for a
   * coefficient after r zeros, 16 for a run of 16 zeros, {@value #SKIP_EOB} for an end of block) and
   * {@link #SKIP_NONZERO}; 0 when the code is longer. For a DC table only the bits count.
   */
  final char[] skip = new char[1 << SKIP_BITS];

  private JpegHuffmanTable(int[] symbols) {
    this.symbols = symbols;
  }

  /** The largest symbol, for libjpeg's check that DC categories stay at or below 15. */
  int maxSymbol() {
    int m = 0;
    for (int s : symbols) {
      m = Math.max(m, s);
    }
    return m;
  }

  /**
   * Builds a table from a DHT entry's 16 code counts and its symbols, or returns null where libjpeg
   * refuses the table ("Bogus Huffman table definition": more than 256 symbols, or codes that do not
   * fit their lengths, the all-ones code included).
   */
  static JpegHuffmanTable of(int[] counts, int[] symbols) {
    int total = 0;
    for (int l = 1; l <= 16; l++) {
      total += counts[l];
    }
    if (total > 256 || total != symbols.length) {
      return null;
    }
    JpegHuffmanTable t = new JpegHuffmanTable(symbols);
    int code = 0;
    int p = 0;
    for (int l = 1; l <= 16; l++) {
      if (counts[l] > 0) {
        t.valoffset[l] = p - code;
        p += counts[l];
        code += counts[l];
        t.maxcode[l] = code - 1;
      } else {
        t.maxcode[l] = -1;
      }
      if (code >= (1 << l)) { // libjpeg refuses an all-ones code (a table that overfills its lengths)
        return null;
      }
      code <<= 1;
    }
    t.maxcode[17] = Integer.MAX_VALUE;
    // the look-ahead: every 11-bit prefix that starts with a code of at most 11 bits
    code = 0;
    p = 0;
    for (int l = 1; l <= LOOKAHEAD; l++) {
      for (int i = 0; i < counts[l]; i++, p++, code++) {
        int shift = LOOKAHEAD - l;
        int first = code << shift;
        for (int j = 0; j < (1 << shift); j++) {
          t.look[first + j] = (char) ((l << 8) | symbols[p]);
        }
      }
      code <<= 1;
    }
    code = 0;
    p = 0;
    for (int l = 1; l <= SKIP_BITS; l++) {
      for (int i = 0; i < counts[l]; i++, p++, code++) {
        int r = symbols[p] >> 4;
        int size = symbols[p] & 15;
        int advance = size != 0 ? r + 1 : r == 15 ? 16 : SKIP_EOB;
        char entry = (char) ((l + size) | (advance << 5) | (size != 0 ? SKIP_NONZERO : 0));
        int shift = SKIP_BITS - l;
        java.util.Arrays.fill(t.skip, code << shift, (code + 1) << shift, entry);
      }
      code <<= 1;
    }
    return t;
  }
}
