package dev.labelbeam.transforms.images;

/**
 * Reads a JPEG's dimensions from its start-of-frame marker without decoding, so that the decoder can
 * be asked for a reduced (DCT-domain 1/2, 1/4, 1/8) decode when the target size allows it.
 */
public final class JpegHeader {
  private JpegHeader() {}

  /** {@code {width, height}}, or {@code null} when the bytes are not a JPEG with a readable SOF. */
  public static int[] dimensions(byte[] b) {
    if (b.length < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xff) != 0xD8) {
      return null;
    }
    int i = 2;
    while (i + 9 < b.length) {
      if ((b[i] & 0xff) != 0xFF) {
        return null;
      }
      int marker = b[i + 1] & 0xff;
      if (marker == 0xFF) { // fill byte
        i++;
        continue;
      }
      int len = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
      boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof) {
        int h = ((b[i + 5] & 0xff) << 8) | (b[i + 6] & 0xff);
        int w = ((b[i + 7] & 0xff) << 8) | (b[i + 8] & 0xff);
        return new int[] {w, h};
      }
      if (marker == 0xD9 || marker == 0xDA) {
        return null;
      }
      i += 2 + len;
    }
    return null;
  }

  /**
   * The largest power-of-two reduction (1, 2, 4 or 8) that keeps the shorter side at least
   * {@code targetShorterSide}.
   */
  public static int reductionFor(int width, int height, int targetShorterSide) {
    int shorter = Math.min(width, height);
    int factor = 1;
    while (factor < 8 && shorter / (factor * 2) >= targetShorterSide) {
      factor *= 2;
    }
    return factor;
  }
}
