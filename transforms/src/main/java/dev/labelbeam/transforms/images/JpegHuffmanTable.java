package dev.labelbeam.transforms.images;

/**
 * One JPEG Huffman table (a DHT entry) ready for decoding: a 9-bit look-ahead table for the short
 * codes, the canonical {@code maxcode}/{@code valoffset} arrays for the long ones, as libjpeg builds
 * them ({@code jpeg_make_d_derived_tbl}). Immutable.
 */
final class JpegHuffmanTable {
  /** Bits looked up at once; longer codes take the canonical per-length search. */
  static final int LOOKAHEAD = 9;

  /** {@code (length << 8) | symbol} for each 9-bit prefix, 0 when the code is longer than 9 bits. */
  final char[] look = new char[1 << LOOKAHEAD];
  /** Largest code of each length 1-16 ({@code -1} when none), then a sentinel at 17. */
  final int[] maxcode = new int[18];
  /** Index in {@link #symbols} of the code {@code c} of length {@code l} is {@code c + valoffset[l]}. */
  final int[] valoffset = new int[18];
  final int[] symbols;

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
    // the look-ahead: every 9-bit prefix that starts with a code of at most 9 bits
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
    return t;
  }
}
