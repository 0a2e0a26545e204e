package dev.labelbeam.transforms.images;

import java.util.Optional;

/**
 * Finds corrupt entropy-coded data in a JPEG without decoding pixels: what libjpeg only warns about
 * ("Corrupt JPEG data: ...") while it fills the damaged rest of the image with gray and reports success.
 * OpenCV's decoder drops those warnings, so a scan hit by 256 random bytes was once written with 30 of
 * its 64 rows garbage.
 *
 * <p>The check walks every scan's Huffman codes block by block, as libjpeg's entropy decoder does, for
 * baseline, extended sequential and progressive Huffman JPEGs, with or without restart intervals, and
 * reports the first of libjpeg's corrupt-data warnings:
 *
 * <ul>
 *   <li>a bad Huffman code (a bit pattern no code of the table has; in a progressive refinement scan
 *       also a coefficient that is not ±1);
 *   <li>a premature end of a data segment (the scan needs bits past the next marker: a cut scan);
 *   <li>a marker other than the expected restart marker after a restart interval;
 *   <li>whole bytes left over after a restart interval's or a scan's last block ("extraneous bytes").
 * </ul>
 *
 * It is stricter than libjpeg-turbo in two places, both corrupt data by the standard: turbo's fast
 * decoding path reads a bad Huffman code as an end of block without a warning, and the bytes it had
 * read ahead when a scan ends (up to about 6) are not counted as extraneous. Valid files leave no whole
 * byte unused (checked on 38 real photographs, half of them progressive).
 *
 * More than {@value #MAX_SCANS} scans are reported too: each scan is a pass over the whole frame.
 *
 * What libjpeg refuses outright (a bogus Huffman table, a missing table, bad progression parameters),
 * arithmetic-coded, lossless and hierarchical JPEGs, and files cut short are not judged here (the
 * result is empty): the decoder or the truncation check decides those. Bytes between header segments
 * ("extraneous bytes before marker" outside a scan) leave the pixels intact and are allowed.
 *
 * <p>Cost: one pass over the compressed bytes, no pixel memory; a progressive JPEG keeps one
 * {@code long} per 8 × 8 block for its refinement scans. Thread-safe (no shared state).
 */
public final class JpegScanCheck {
  private JpegScanCheck() {}

  /**
   * Scans a file may have: a progressive JPEG has about 10; each scan costs a pass over the frame's
   * blocks, so a small file of thousands of scans would otherwise take minutes.
   */
  static final int MAX_SCANS = 1000;

  /** libjpeg's corrupt-data warning, with where it happened. */
  static final class Corrupt extends Exception {
    private static final long serialVersionUID = 1L;

    Corrupt(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Where libjpeg would stop with an error instead of a warning, or the file ends before its end
   * marker: left to the decoder and the truncation check.
   */
  private static final class NotJudged extends Exception {
    private static final long serialVersionUID = 1L;

    NotJudged() {
      super(null, null, false, false);
    }
  }

  /**
   * The first corrupt-data problem in {@code jpeg} ("bad Huffman code in scan 1 at block 1,234 of
   * 3,072"), or empty when every scan decodes cleanly or the file is not judged here (see the class
   * comment).
   */
  public static Optional<String> problem(byte[] jpeg) {
    try {
      new Walk(jpeg).run();
      return Optional.empty();
    } catch (Corrupt c) {
      return Optional.of(c.getMessage());
    } catch (NotJudged n) {
      return Optional.empty();
    }
  }

  /** One component of the frame. */
  private static final class Component {
    int id;
    int h;
    int v;
    /** Blocks with data (the component's own size) and blocks per row padded to whole MCUs. */
    int widthBlocks;
    int heightBlocks;
    int paddedWidthBlocks;
    /**
     * Progressive only: per block row, per block, bit k set once zig-zag coefficient k (1-63) is
     * nonzero; a row is allocated when a block in it first gets a coefficient, so a small file
     * claiming a large frame allocates little.
     */
    long[][] nonzero;
  }

  /** The walk over one file's markers and scans. */
  private static final class Walk {
    private final byte[] b;
    private final JpegHuffmanTable[] dcTables = new JpegHuffmanTable[4];
    private final JpegHuffmanTable[] acTables = new JpegHuffmanTable[4];
    private Component[] frame;
    private boolean progressive;
    private int mcusX;
    private int mcusY;
    private int restartInterval;
    private int scanNumber;
    /** The unstuffed data of the scan being walked; one buffer for all scans of the file. */
    private byte[] scratch;

    Walk(byte[] b) {
      this.b = b;
    }

    void run() throws Corrupt, NotJudged {
      if (b.length < 4 || u8(0) != 0xFF || u8(1) != 0xD8) {
        throw new NotJudged();
      }
      int i = 2;
      while (true) {
        while (i < b.length && b[i] != (byte) 0xFF) {
          i++; // extraneous bytes between segments: the pixels are intact
        }
        while (i < b.length && b[i] == (byte) 0xFF) {
          i++;
        }
        if (i >= b.length) {
          throw new NotJudged(); // no end marker: the truncation check's verdict
        }
        int marker = u8(i);
        i++;
        if (marker == 0xD9) {
          return;
        }
        if (marker == 0x00 || marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) {
          continue;
        }
        if (marker < 0xC0 || marker == 0xC8 || marker == 0xDE || marker == 0xDF || (marker >= 0xF0 && marker <= 0xFD)) {
          throw new NotJudged(); // libjpeg: "Unsupported marker type"
        }
        int len = segmentLength(i);
        int body = i + 2;
        int end = i + len;
        if (marker == 0xC4) {
          huffmanTables(body, end);
        } else if (marker == 0xDD) {
          if (len < 4) {
            throw new NotJudged();
          }
          restartInterval = u16(body);
        } else if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC8 && marker != 0xCC) {
          frame(marker, body, end);
        } else if (marker == 0xDA) {
          i = scan(body, end);
          continue;
        }
        i = end;
      }
    }

    private int segmentLength(int i) throws NotJudged {
      if (i + 1 >= b.length) {
        throw new NotJudged();
      }
      int len = u16(i);
      if (len < 2 || i + len > b.length) {
        throw new NotJudged();
      }
      return len;
    }

    private void huffmanTables(int p, int end) throws NotJudged {
      while (p < end) {
        if (p + 17 > end) {
          throw new NotJudged();
        }
        int tc = u8(p) >> 4;
        int th = u8(p) & 15;
        int[] counts = new int[17];
        int total = 0;
        for (int l = 1; l <= 16; l++) {
          counts[l] = u8(p + l);
          total += counts[l];
        }
        p += 17;
        if (tc > 1 || th > 3 || total > 256 || p + total > end) {
          throw new NotJudged();
        }
        int[] symbols = new int[total];
        for (int k = 0; k < total; k++) {
          symbols[k] = u8(p + k);
        }
        p += total;
        JpegHuffmanTable t = JpegHuffmanTable.of(counts, symbols);
        if (t == null) {
          throw new NotJudged();
        }
        (tc == 0 ? dcTables : acTables)[th] = t;
      }
    }

    private void frame(int marker, int p, int end) throws NotJudged {
      // Huffman-coded sequential (C0, C1) and progressive (C2); lossless, hierarchical and arithmetic
      // coding are not judged
      if (frame != null || marker > 0xC2 || p + 6 > end) {
        throw new NotJudged();
      }
      progressive = marker == 0xC2;
      int height = u16(p + 1);
      int width = u16(p + 3);
      int n = u8(p + 5);
      if (height == 0 || width == 0 || n < 1 || n > 4 || p + 6 + 3 * n > end) {
        throw new NotJudged();
      }
      Component[] cs = new Component[n];
      int hmax = 1;
      int vmax = 1;
      for (int k = 0; k < n; k++) {
        Component c = new Component();
        c.id = u8(p + 6 + 3 * k);
        c.h = u8(p + 7 + 3 * k) >> 4;
        c.v = u8(p + 7 + 3 * k) & 15;
        if (c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4) {
          throw new NotJudged();
        }
        hmax = Math.max(hmax, c.h);
        vmax = Math.max(vmax, c.v);
        cs[k] = c;
      }
      mcusX = ceilDiv(width, 8 * hmax);
      mcusY = ceilDiv(height, 8 * vmax);
      for (Component c : cs) {
        c.widthBlocks = ceilDiv(ceilDiv(width * c.h, hmax), 8);
        c.heightBlocks = ceilDiv(ceilDiv(height * c.v, vmax), 8);
        c.paddedWidthBlocks = mcusX * c.h;
      }
      frame = cs;
    }

    /** Walks one scan; returns the position of the marker that follows it. */
    private int scan(int p, int end) throws Corrupt, NotJudged {
      if (frame == null || p >= end) {
        throw new NotJudged();
      }
      if (++scanNumber > MAX_SCANS) {
        throw new Corrupt(String.format(java.util.Locale.ROOT, "more than %,d scans", MAX_SCANS));
      }
      int ns = u8(p);
      if (ns < 1 || ns > 4 || p + 1 + 2 * ns + 3 > end) {
        throw new NotJudged();
      }
      Component[] comps = new Component[ns];
      JpegHuffmanTable[] dc = new JpegHuffmanTable[ns];
      JpegHuffmanTable[] ac = new JpegHuffmanTable[ns];
      for (int k = 0; k < ns; k++) {
        int id = u8(p + 1 + 2 * k);
        for (Component c : frame) {
          if (c.id == id) {
            comps[k] = c;
          }
        }
        if (comps[k] == null) {
          throw new NotJudged();
        }
        dc[k] = dcTables[u8(p + 2 + 2 * k) >> 4 & 3];
        ac[k] = acTables[u8(p + 2 + 2 * k) & 3];
      }
      int q = p + 1 + 2 * ns;
      int ss = u8(q);
      int se = u8(q + 1);
      int ah = u8(q + 2) >> 4;
      int al = u8(q + 2) & 15;
      ScanShape shape;
      if (!progressive) {
        shape = ScanShape.SEQUENTIAL;
      } else if (ss == 0) {
        if (se != 0) {
          throw new NotJudged();
        }
        shape = ah == 0 ? ScanShape.DC_FIRST : ScanShape.DC_REFINE;
      } else {
        if (ss > se || se > 63 || ns != 1) {
          throw new NotJudged();
        }
        shape = ah == 0 ? ScanShape.AC_FIRST : ScanShape.AC_REFINE;
      }
      if ((progressive && ((ah != 0 && al != ah - 1) || al > 13))) {
        throw new NotJudged();
      }
      for (int k = 0; k < ns; k++) {
        boolean needsDc = shape == ScanShape.SEQUENTIAL || shape == ScanShape.DC_FIRST;
        boolean needsAc = shape == ScanShape.SEQUENTIAL || shape == ScanShape.AC_FIRST || shape == ScanShape.AC_REFINE;
        if ((needsDc && (dc[k] == null || dc[k].maxSymbol() > 15)) || (needsAc && ac[k] == null)) {
          throw new NotJudged(); // no table, or DC categories over 15: libjpeg stops with an error
        }
        if (progressive && shape != ScanShape.DC_FIRST && shape != ScanShape.DC_REFINE
            && comps[k].nonzero == null) {
          comps[k].nonzero = new long[mcusY * comps[k].v][];
        }
      }
      int blocksInMcu = 0;
      for (Component c : comps) {
        blocksInMcu += ns == 1 ? 1 : c.h * c.v;
      }
      if (blocksInMcu > 10) {
        throw new NotJudged(); // libjpeg: "Sampling factors too large for interleaved scan"
      }
      if (scratch == null) {
        scratch = new byte[b.length + JpegBitReader.TAIL];
      }
      return new ScanWalk(new JpegBitReader(b, end, scratch), comps, dc, ac, shape, ss, se, restartInterval, scanNumber)
          .run(mcusX, mcusY);
    }

    private int u8(int i) {
      return b[i] & 0xff;
    }

    private int u16(int i) throws NotJudged {
      if (i + 1 >= b.length) {
        throw new NotJudged();
      }
      return (u8(i) << 8) | u8(i + 1);
    }
  }

  private static final int SKIP_BITS = JpegHuffmanTable.SKIP_BITS;
  private static final int SKIP_MASK = (1 << SKIP_BITS) - 1;

  /** The kinds of scan, each with its own way of coding a block. */
  enum ScanShape {
    SEQUENTIAL, DC_FIRST, DC_REFINE, AC_FIRST, AC_REFINE
  }

  /** The walk over one scan's MCUs. */
  private static final class ScanWalk {
    private final JpegBitReader in;
    private final Component[] comps;
    private final JpegHuffmanTable[] dc;
    private final JpegHuffmanTable[] ac;
    private final ScanShape shape;
    private final int ss;
    private final int se;
    private final int restartInterval;
    private final int scanNumber;
    private int eobrun;
    private long mcu;
    private long mcus;

    ScanWalk(JpegBitReader in, Component[] comps, JpegHuffmanTable[] dc, JpegHuffmanTable[] ac,
        ScanShape shape, int ss, int se, int restartInterval, int scanNumber) {
      this.in = in;
      this.comps = comps;
      this.dc = dc;
      this.ac = ac;
      this.shape = shape;
      this.ss = ss;
      this.se = se;
      this.restartInterval = restartInterval;
      this.scanNumber = scanNumber;
    }

    int run(int mcusX, int mcusY) throws Corrupt, NotJudged {
      boolean interleaved = comps.length > 1;
      Component single = comps[0];
      int perRow = interleaved ? mcusX : single.widthBlocks;
      int rows = interleaved ? mcusY : single.heightBlocks;
      mcus = (long) perRow * rows;
      int restartsToGo = restartInterval;
      int nextRestart = 0;
      try {
        for (int y = 0; y < rows; y++) {
          for (int x = 0; x < perRow; x++, mcu++) {
            if (restartInterval > 0) {
              if (restartsToGo == 0) {
                nextRestart = restart(nextRestart);
                restartsToGo = restartInterval;
              }
              restartsToGo--;
            }
            if (interleaved) {
              for (int k = 0; k < comps.length; k++) {
                Component c = comps[k];
                for (int v = 0; v < c.v; v++) {
                  for (int h = 0; h < c.h; h++) {
                    block(k, c, y * c.v + v, x * c.h + h);
                  }
                }
              }
            } else {
              block(0, single, y, x);
            }
            if (in.overrun()) {
              throw new Corrupt("premature end of data segment");
            }
          }
        }
      } catch (Corrupt c) {
        if (in.atEndOfFile()) {
          throw new NotJudged(); // cut short: the truncation check's verdict
        }
        throw new Corrupt(String.format(java.util.Locale.ROOT, "%s in scan %d at MCU %,d of %,d",
            c.getMessage(), scanNumber, mcu + 1, mcus));
      }
      int extra = in.finish();
      if (in.atEndOfFile()) {
        throw new NotJudged();
      }
      if (extra > 0) {
        throw new Corrupt(String.format(java.util.Locale.ROOT,
            "%,d extraneous bytes after the last of %,d MCUs of scan %d", extra, mcus, scanNumber));
      }
      return in.position();
    }

    /** Ends a restart interval: no bytes left over, then the expected RST marker. */
    private int restart(int expected) throws Corrupt {
      int extra = in.finish();
      if (in.atEndOfFile()) {
        throw new Corrupt("premature end of data segment"); // turned into not judged by run()
      }
      if (extra > 0) {
        throw new Corrupt(String.format(java.util.Locale.ROOT, "%,d extraneous bytes before restart marker", extra));
      }
      int marker = in.marker();
      if (marker != 0xD0 + expected) {
        throw new Corrupt(String.format(java.util.Locale.ROOT, "found marker 0x%02x instead of RST%d", marker, expected));
      }
      in.nextSegment();
      eobrun = 0;
      return (expected + 1) & 7;
    }

    private void block(int k, Component c, int row, int col) throws Corrupt {
      switch (shape) {
        case SEQUENTIAL:
          sequential(dc[k], ac[k]);
          break;
        case DC_FIRST:
          in.skip(in.decode(dc[k]));
          break;
        case DC_REFINE:
          in.skip(1);
          break;
        case AC_FIRST:
          acFirst(ac[k], c, row, col);
          break;
        default:
          acRefine(ac[k], c, row, col);
      }
    }

    private static long nonzero(Component c, int row, int col) {
      long[] r = c.nonzero[row];
      return r == null ? 0 : r[col];
    }

    private static void setNonzero(Component c, int row, int col, long nz) {
      long[] r = c.nonzero[row];
      if (r == null) {
        if (nz == 0) {
          return;
        }
        r = c.nonzero[row] = new long[c.paddedWidthBlocks];
      }
      r[col] = nz;
    }

    /**
     * A sequential block: the DC code and its bits, then AC codes until an end of block or the 63rd
     * coefficient. The hot loop of the check: the bit buffer is held in locals, and codes of up to
     * {@value JpegHuffmanTable#SKIP_BITS} bits are taken with their extra bits in one table lookup.
     */
    private void sequential(JpegHuffmanTable dcTable, JpegHuffmanTable acTable) throws Corrupt {
      JpegBitReader r = in;
      r.refill();
      int e = dcTable.skip[(int) (r.top >>> (64 - SKIP_BITS))];
      if (e != 0) {
        r.top <<= e & 31;
        r.bits -= e & 31;
      } else {
        r.skip(r.slowDecode(dcTable));
      }
      byte[] data = r.data;
      char[] skip = acTable.skip;
      int pos = r.pos;
      long top = r.top;
      int bits = r.bits;
      int k = 1;
      while (true) {
        // refill without a branch: whole bytes up to more than 56 bits (see JpegBitReader#refill);
        // then two codes, each with its extra bits at most 26 bits, so the second needs no refill
        // and the load stays off the chain from one code to the next
        top |= (long) JpegBitReader.LONG_BIG_ENDIAN.get(data, pos) >>> bits;
        int n = (63 - bits) >>> 3;
        pos += n;
        bits += n << 3;
        e = skip[(int) (top >>> (64 - SKIP_BITS))];
        if (e == 0) {
          break;
        }
        top <<= e & 31;
        bits -= e & 31;
        k += e >>> 5 & 127;
        if (k >= 64) {
          break;
        }
        e = skip[(int) (top >>> (64 - SKIP_BITS))];
        if (e == 0) {
          break;
        }
        top <<= e & 31;
        bits -= e & 31;
        k += e >>> 5 & 127;
        if (k >= 64) {
          break;
        }
      }
      r.pos = pos;
      r.top = top;
      r.bits = bits;
      if (k < 64) {
        slowCodes(acTable, k); // a code longer than the table: the rest of the block the general way
      }
    }

    /** The rest of a sequential block from coefficient {@code k}, by {@link JpegBitReader#decode}. */
    private void slowCodes(JpegHuffmanTable acTable, int k) throws Corrupt {
      while (k < 64) {
        int rs = in.decode(acTable);
        int run = rs >> 4;
        int s = rs & 15;
        if (s != 0) {
          in.skip(s);
          k += run + 1;
        } else if (run == 15) {
          k += 16;
        } else {
          return;
        }
      }
    }

    private void acFirst(JpegHuffmanTable table, Component c, int row, int col) throws Corrupt {
      if (eobrun > 0) {
        eobrun--;
        return;
      }
      long nz = nonzero(c, row, col);
      JpegBitReader r = in;
      for (int k = ss; k <= se; ) {
        if (r.bits < 32) {
          r.refill();
        }
        int e = table.skip[(int) (r.top >>> (64 - SKIP_BITS))];
        int advance = (e >>> 5) & 127;
        if (e != 0 && advance != JpegHuffmanTable.SKIP_EOB) {
          r.top <<= e & 31;
          r.bits -= e & 31;
          k += advance;
          if ((e & JpegHuffmanTable.SKIP_NONZERO) != 0) {
            nz |= 1L << Math.min(k - 1, 63);
          }
          continue;
        }
        int rs = r.decode(table);
        int run = rs >> 4;
        int s = rs & 15;
        if (s != 0) {
          k += run;
          r.skip(s);
          nz |= 1L << Math.min(k, 63);
          k++;
        } else if (run == 15) {
          k += 16;
        } else {
          eobrun = (1 << run) + r.take(run) - 1;
          break;
        }
      }
      setNonzero(c, row, col, nz);
    }

    /**
     * libjpeg's {@code decode_mcu_AC_refine}: new ±1 coefficients and a correction bit per coefficient
     * already nonzero. The correction bits are only counted: the block's nonzero coefficients are a bit
     * mask, so a stretch of them costs a population count rather than a pass over 63 coefficients.
     */
    private void acRefine(JpegHuffmanTable table, Component c, int row, int col) throws Corrupt {
      long nz = nonzero(c, row, col);
      int k = ss;
      if (eobrun == 0) {
        while (k <= se) {
          int rs = in.decode(table);
          int r = rs >> 4;
          int s = rs & 15;
          if (s != 0) {
            if (s != 1) {
              throw new Corrupt("bad Huffman code");
            }
            in.skip(1); // the new coefficient's sign
          } else if (r != 15) {
            eobrun = (1 << r) + in.take(r);
            break;
          }
          // the (r+1)-th coefficient still zero from k on is the new one (or ends a run of 16 zeros);
          // each nonzero coefficient passed on the way has a correction bit
          long zeros = ~nz & band(k, se);
          for (int i = 0; i < r && zeros != 0; i++) {
            zeros &= zeros - 1;
          }
          int target = zeros == 0 ? se + 1 : Long.numberOfTrailingZeros(zeros);
          skipBits(Long.bitCount(nz & band(k, target - 1)));
          if (s != 0) {
            nz |= 1L << Math.min(target, 63);
          }
          k = target + 1;
        }
      }
      if (eobrun > 0) {
        skipBits(Long.bitCount(nz & band(k, se)));
        eobrun--;
      }
      setNonzero(c, row, col, nz);
    }

    /** Coefficients {@code from} to {@code to} (inclusive, within 0-63) as a bit mask; empty when from > to. */
    private static long band(int from, int to) {
      if (from > to || from > 63) {
        return 0;
      }
      return (-1L >>> (63 - to)) & (-1L << from);
    }

    private void skipBits(int n) {
      while (n > 16) {
        in.skip(16);
        n -= 16;
      }
      in.skip(n);
    }
  }

  private static int ceilDiv(int a, int b) {
    return (int) (((long) a + b - 1) / b);
  }
}
