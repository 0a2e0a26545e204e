package dev.labelbeam.transforms.images;

import dev.labelbeam.transforms.images.JpegScanWalk.Shape;
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
 * byte unused (checked on 173 real photographs and their transcodes, with
 * {@code benchmarks/scripts/jpeg-check-vs-djpeg.sh}, which also finds every damaged file djpeg warns about).
 *
 * More than {@value #MAX_SCANS} scans are reported too: each scan is a pass over the whole frame.
 *
 * What libjpeg refuses outright (a bogus Huffman table, a missing table, bad progression parameters),
 * arithmetic-coded, lossless and hierarchical JPEGs, and files cut short are not judged here (the
 * result is empty): the decoder or the truncation check decides those. Bytes between header segments
 * ("extraneous bytes before marker" outside a scan) leave the pixels intact and are allowed.
 *
 * <p>Cost: one pass over each scan's compressed bytes, no pixel memory: a copy of the scan without its
 * byte stuffing ({@link JpegBitReader}), and for a progressive JPEG one {@code long} per 8 × 8 block
 * that has coefficients ({@link JpegComponent}). About 100 MB/s of baseline data on one core, about
 * libjpeg-turbo's own Huffman decoding; progressive files cost more per byte, each of their ten or so
 * scans passing over the frame. The blocks are walked by {@link JpegScanWalk}. Thread-safe (no shared
 * state).
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
  static final class NotJudged extends Exception {
    private static final long serialVersionUID = 1L;

    NotJudged() {
      super(null, null, false, false);
    }
  }

  /**
   * The first corrupt-data problem in {@code jpeg} ("bad Huffman code in scan 1 at MCU 1,234 of
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

  /** The walk over one file's markers and scans. */
  private static final class Walk {
    private final byte[] b;
    private final JpegHuffmanTable[] dcTables = new JpegHuffmanTable[4];
    private final JpegHuffmanTable[] acTables = new JpegHuffmanTable[4];
    private JpegComponent[] frame;
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
      JpegComponent[] cs = new JpegComponent[n];
      int hmax = 1;
      int vmax = 1;
      for (int k = 0; k < n; k++) {
        JpegComponent c = new JpegComponent();
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
      for (JpegComponent c : cs) {
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
      JpegComponent[] comps = new JpegComponent[ns];
      JpegHuffmanTable[] dc = new JpegHuffmanTable[ns];
      JpegHuffmanTable[] ac = new JpegHuffmanTable[ns];
      for (int k = 0; k < ns; k++) {
        int id = u8(p + 1 + 2 * k);
        for (JpegComponent c : frame) {
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
      Shape shape;
      if (!progressive) {
        shape = Shape.SEQUENTIAL;
      } else if (ss == 0) {
        if (se != 0) {
          throw new NotJudged();
        }
        shape = ah == 0 ? Shape.DC_FIRST : Shape.DC_REFINE;
      } else {
        if (ss > se || se > 63 || ns != 1) {
          throw new NotJudged();
        }
        shape = ah == 0 ? Shape.AC_FIRST : Shape.AC_REFINE;
      }
      if ((progressive && ((ah != 0 && al != ah - 1) || al > 13))) {
        throw new NotJudged();
      }
      for (int k = 0; k < ns; k++) {
        if ((shape.usesDcTable() && (dc[k] == null || dc[k].maxSymbol() > 15))
            || (shape.usesAcTable() && ac[k] == null)) {
          throw new NotJudged(); // no table, or DC categories over 15: libjpeg stops with an error
        }
        if (shape.progressiveAc() && comps[k].nonzero == null) {
          comps[k].nonzero = new long[mcusY * comps[k].v][];
        }
      }
      int blocksInMcu = 0;
      for (JpegComponent c : comps) {
        blocksInMcu += ns == 1 ? 1 : c.h * c.v;
      }
      if (blocksInMcu > 10) {
        throw new NotJudged(); // libjpeg: "Sampling factors too large for interleaved scan"
      }
      if (scratch == null) {
        scratch = new byte[b.length + JpegBitReader.TAIL];
      }
      JpegBitReader in = new JpegBitReader(b, end, scratch);
      return new JpegScanWalk(in, comps, dc, ac, shape, ss, se, restartInterval, scanNumber).run(mcusX, mcusY);
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

  private static int ceilDiv(int a, int b) {
    return (int) (((long) a + b - 1) / b);
  }
}
