package dev.labelbeam.transforms.images;

/**
 * The walk over one scan's MCUs for {@link JpegScanCheck}: each block's codes as libjpeg's entropy
 * decoder reads them (sequential, or one of the four kinds of progressive scan), restart intervals
 * checked, the first corrupt-data problem thrown with where it happened.
 */
final class JpegScanWalk {
  private static final int SKIP_BITS = JpegHuffmanTable.SKIP_BITS;

  /** The kinds of scan, each with its own way of coding a block. */
  enum Shape {
    SEQUENTIAL, DC_FIRST, DC_REFINE, AC_FIRST, AC_REFINE;

    /** Whether its blocks start with a DC code (a DC refinement has a bare bit instead). */
    boolean usesDcTable() {
      return this == SEQUENTIAL || this == DC_FIRST;
    }

    /** Whether its blocks have AC codes. */
    boolean usesAcTable() {
      return this != DC_FIRST && this != DC_REFINE;
    }

    /** A progressive scan of AC coefficients: it needs (and keeps) the blocks' nonzero masks. */
    boolean progressiveAc() {
      return this == AC_FIRST || this == AC_REFINE;
    }
  }

  private final JpegBitReader in;
  private final JpegComponent[] comps;
  private final JpegHuffmanTable[] dc;
  private final JpegHuffmanTable[] ac;
  private final Shape shape;
  private final int ss;
  private final int se;
  private final int restartInterval;
  private final int scanNumber;
  private int eobrun;

  JpegScanWalk(JpegBitReader in, JpegComponent[] comps, JpegHuffmanTable[] dc, JpegHuffmanTable[] ac,
      Shape shape, int ss, int se, int restartInterval, int scanNumber) {
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

  int run(int mcusX, int mcusY) throws JpegScanCheck.Corrupt, JpegScanCheck.NotJudged {
    boolean interleaved = comps.length > 1;
    JpegComponent single = comps[0];
    int perRow = interleaved ? mcusX : single.widthBlocks;
    int rows = interleaved ? mcusY : single.heightBlocks;
    long mcus = (long) perRow * rows;
    long mcu = 0;
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
              JpegComponent c = comps[k];
              for (int v = 0; v < c.v; v++) {
                for (int h = 0; h < c.h; h++) {
                  block(k, c, y * c.v + v, x * c.h + h);
                }
              }
            }
          } else if (eobrun > 0 && noBitsInRun(single, y)) {
            // a run of ends of band over blocks that take no bits: passed over together, up to the
            // row's end and the restart interval's end (a sparse progressive photo is mostly these)
            long more = Math.min(Math.min(eobrun - 1L, perRow - 1L - x),
                restartInterval > 0 ? restartsToGo : Long.MAX_VALUE);
            eobrun -= 1 + (int) more;
            x += (int) more;
            mcu += more;
            if (restartInterval > 0) {
              restartsToGo -= (int) more;
            }
          } else {
            block(0, single, y, x);
          }
          if (in.overrun()) {
            throw new JpegScanCheck.Corrupt("premature end of data segment");
          }
        }
      }
    } catch (JpegScanCheck.Corrupt c) {
      if (in.atEndOfFile()) {
        throw new JpegScanCheck.NotJudged(); // cut short: the truncation check's verdict
      }
      throw new JpegScanCheck.Corrupt(String.format(java.util.Locale.ROOT, "%s in scan %d at MCU %,d of %,d",
          c.getMessage(), scanNumber, mcu + 1, mcus));
    }
    int extra = in.finish();
    if (in.atEndOfFile()) {
      throw new JpegScanCheck.NotJudged();
    }
    if (extra > 0) {
      throw new JpegScanCheck.Corrupt(String.format(java.util.Locale.ROOT,
          "%,d extraneous bytes after the last of %,d MCUs of scan %d", extra, mcus, scanNumber));
    }
    return in.position();
  }

  /** Ends a restart interval: no bytes left over, then the expected RST marker. */
  private int restart(int expected) throws JpegScanCheck.Corrupt {
    int extra = in.finish();
    if (in.atEndOfFile()) {
      throw new JpegScanCheck.Corrupt("premature end of data segment"); // turned into not judged by run()
    }
    if (extra > 0) {
      throw new JpegScanCheck.Corrupt(
          String.format(java.util.Locale.ROOT, "%,d extraneous bytes before restart marker", extra));
    }
    int marker = in.marker();
    if (marker != 0xD0 + expected) {
      throw new JpegScanCheck.Corrupt(
          String.format(java.util.Locale.ROOT, "found marker 0x%02x instead of RST%d", marker, expected));
    }
    in.nextSegment();
    eobrun = 0;
    return (expected + 1) & 7;
  }

  /**
   * Whether a block of row {@code row} in an end-of-band run takes no bits: always in a first AC scan,
   * and in a refinement scan when no block of the row has a nonzero coefficient to correct.
   */
  private boolean noBitsInRun(JpegComponent c, int row) {
    return shape == Shape.AC_FIRST || (shape == Shape.AC_REFINE && c.nonzero[row] == null);
  }

  private void block(int k, JpegComponent c, int row, int col) throws JpegScanCheck.Corrupt {
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

  /**
   * A sequential block: the DC code and its bits, then AC codes until an end of block or the 63rd
   * coefficient. The hot loop of the check: the bit buffer is held in locals, codes of up to
   * {@value JpegHuffmanTable#SKIP_BITS} bits are taken with their extra bits in one table lookup, two
   * per refill of the buffer.
   */
  private void sequential(JpegHuffmanTable dcTable, JpegHuffmanTable acTable) throws JpegScanCheck.Corrupt {
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
      int codes = 0;
      for (; codes < 2; codes++) {
        e = skip[(int) (top >>> (64 - SKIP_BITS))];
        if (e == 0) {
          break; // longer than the table
        }
        top <<= e & 31;
        bits -= e & 31;
        k += e >>> 5 & 127;
        if (k >= 64) {
          break; // the block's end
        }
      }
      if (codes < 2) {
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
  private void slowCodes(JpegHuffmanTable acTable, int k) throws JpegScanCheck.Corrupt {
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

  private void acFirst(JpegHuffmanTable table, JpegComponent c, int row, int col) throws JpegScanCheck.Corrupt {
    if (eobrun > 0) {
      eobrun--;
      return;
    }
    long nz = c.nonzero(row, col);
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
    c.setNonzero(row, col, nz);
  }

  /**
   * libjpeg's {@code decode_mcu_AC_refine}: new ±1 coefficients and a correction bit per coefficient
   * already nonzero. The correction bits are only counted: the block's nonzero coefficients are a bit
   * mask, so a stretch of them costs a population count rather than a pass over 63 coefficients.
   */
  private void acRefine(JpegHuffmanTable table, JpegComponent c, int row, int col) throws JpegScanCheck.Corrupt {
    long nz = c.nonzero(row, col);
    int k = ss;
    if (eobrun == 0) {
      while (k <= se) {
        int rs = in.decode(table);
        int r = rs >> 4;
        int s = rs & 15;
        if (s != 0) {
          if (s != 1) {
            throw new JpegScanCheck.Corrupt("bad Huffman code");
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
    c.setNonzero(row, col, nz);
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
