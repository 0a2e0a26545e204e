package dev.labelbeam.transforms.images;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads an image's format and declared size from its first bytes, without decoding: JPEG, PNG, GIF,
 * BMP, WebP and TIFF. The size decides the reduced JPEG decode and rejects decompression bombs
 * before any pixel memory is allocated. Also tells whether a JPEG or PNG file was cut short.
 */
public final class ImageHeader {
  public final String format;
  public final int width;
  public final int height;

  private ImageHeader(String format, int width, int height) {
    this.format = format;
    this.width = width;
    this.height = height;
  }

  public long pixels() {
    return (long) width * height;
  }

  /**
   * The format {@code b}'s first bytes announce ({@code jpeg}, {@code png}, {@code gif}, {@code bmp},
   * {@code webp}, {@code tiff}), or null for none of them.
   */
  public static String formatOf(byte[] b) {
    if (b.length >= 3 && u8(b, 0) == 0xFF && u8(b, 1) == 0xD8 && u8(b, 2) == 0xFF) {
      return "jpeg";
    }
    if (b.length >= 8 && u8(b, 0) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
      return "png";
    }
    if (b.length >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F') {
      return "gif";
    }
    if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
      return "bmp";
    }
    if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F'
        && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') {
      return "webp";
    }
    if (b.length >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0)
        || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42))) {
      return "tiff";
    }
    return null;
  }

  /**
   * The header of {@code b}, or {@code null} when the format is not recognised or its header cannot
   * be read (cut short, or not laid out as the format says). Whatever the decoders accept must be read
   * here too, or be refused: a header this reader skipped once let a 20000×20000 JPEG past the pixel limit.
   */
  public static ImageHeader read(byte[] b) {
    String format = formatOf(b);
    if (format == null) {
      return null;
    }
    try {
      switch (format) {
        case "jpeg":
          return jpeg(b);
        case "png":
          {
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
            return new ImageHeader("png", bb.getInt(16), bb.getInt(20));
          }
        case "gif":
          {
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            return new ImageHeader("gif", bb.getShort(6) & 0xffff, bb.getShort(8) & 0xffff);
          }
        case "bmp":
          {
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            return new ImageHeader("bmp", Math.abs(bb.getInt(18)), Math.abs(bb.getInt(22)));
          }
        case "webp":
          return webp(b);
        default:
          return tiff(b);
      }
    } catch (IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
      return null;
    }
  }

  /**
   * The JPEG's frame size from its SOF marker. Bytes that are not a marker are skipped, as libjpeg
   * skips them ("extraneous bytes before marker"), so that every file libjpeg decodes is measured.
   */
  private static ImageHeader jpeg(byte[] b) {
    int[] walk = jpegWalk(b);
    int sof = walk[0];
    if (sof < 0) {
      return null;
    }
    int h = (u8(b, sof + 5) << 8) | u8(b, sof + 6);
    int w = (u8(b, sof + 7) << 8) | u8(b, sof + 8);
    return new ImageHeader("jpeg", w, h);
  }

  /** Where a JPEG's first scan's data starts (after its SOS segment), or -1 when there is none. */
  private static int jpegScanStart(byte[] b) {
    return jpegWalk(b)[1];
  }

  /**
   * Walks a JPEG's marker segments up to its first scan: {@code [position of the first SOF marker,
   * start of the first scan's data]}, each -1 when the file ends (or an EOI comes) first.
   */
  private static int[] jpegWalk(byte[] b) {
    int sof = -1;
    int i = 2;
    while (i + 3 < b.length) {
      if (u8(b, i) != 0xFF) {
        i++; // extraneous bytes before a marker, skipped as libjpeg does
        continue;
      }
      int marker = u8(b, i + 1);
      if (marker == 0xFF) {
        i++;
        continue;
      }
      if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 || marker == 0x00) {
        i += 2;
        continue;
      }
      if (marker == 0xD9) {
        break;
      }
      int len = (u8(b, i + 2) << 8) | u8(b, i + 3);
      boolean frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (frame && sof < 0 && i + 9 < b.length) {
        sof = i;
      }
      if (marker == 0xDA) {
        return new int[] {sof, i + 2 + len};
      }
      i += 2 + len;
    }
    return new int[] {sof, -1};
  }

  private static ImageHeader webp(byte[] b) {
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    String chunk = new String(b, 12, 4, java.nio.charset.StandardCharsets.US_ASCII);
    switch (chunk) {
      case "VP8 ":
        return new ImageHeader("webp", bb.getShort(26) & 0x3fff, bb.getShort(28) & 0x3fff);
      case "VP8L":
        {
          int bits = bb.getInt(21);
          return new ImageHeader("webp", (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
        }
      case "VP8X":
        {
          int w = (u8(b, 24) | u8(b, 25) << 8 | u8(b, 26) << 16) + 1;
          int h = (u8(b, 27) | u8(b, 28) << 8 | u8(b, 29) << 16) + 1;
          return new ImageHeader("webp", w, h);
        }
      default:
        return null;
    }
  }

  private static ImageHeader tiff(byte[] b) {
    ByteBuffer bb = ByteBuffer.wrap(b).order(b[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    int ifd = bb.getInt(4);
    int n = bb.getShort(ifd) & 0xffff;
    int w = -1;
    int h = -1;
    for (int k = 0; k < n; k++) {
      int e = ifd + 2 + 12 * k;
      int tag = bb.getShort(e) & 0xffff;
      int type = bb.getShort(e + 2) & 0xffff;
      int value = type == 3 ? bb.getShort(e + 8) & 0xffff : bb.getInt(e + 8);
      // the first of duplicated tags counts, as libtiff (OpenCV's decoder) ignores later duplicates
      if (tag == 256 && w < 0) {
        w = value;
      } else if (tag == 257 && h < 0) {
        h = value;
      }
    }
    return w < 0 || h < 0 ? null : new ImageHeader("tiff", w, h);
  }

  /**
   * True when a JPEG has no end-of-image marker after its first scan, or a PNG's chunks end before
   * its IEND chunk: the file was cut short (decoders would otherwise fill the rest with gray and
   * report success). Data after the end (a motion photo's video, an appended thumbnail) is allowed.
   */
  public static boolean isTruncated(String format, byte[] b) {
    if ("jpeg".equals(format)) {
      int scan = jpegScanStart(b);
      if (scan < 0) {
        return true;
      }
      // entropy-coded data stuffs every 0xFF (FF 00), so the first FF D9 after the scan start ends the image
      for (int i = b.length - 2; i >= scan; i--) {
        if (u8(b, i) == 0xFF && u8(b, i + 1) == 0xD9) {
          return false;
        }
      }
      return true;
    }
    if ("png".equals(format)) {
      long i = 8;
      while (i + 12 <= b.length) {
        long len = ((long) u8(b, (int) i) << 24) | (u8(b, (int) i + 1) << 16) | (u8(b, (int) i + 2) << 8)
            | u8(b, (int) i + 3);
        int t = (int) i + 4;
        if (b[t] == 'I' && b[t + 1] == 'E' && b[t + 2] == 'N' && b[t + 3] == 'D') {
          return false;
        }
        i += 12 + len;
      }
      return true;
    }
    return false;
  }

  /**
   * The EXIF orientation (1-8) of a JPEG, 1 when it has none. Read here because OpenCV's own
   * orientation handling doubles the decode time of a reduced JPEG decode; the decoder is then told
   * to ignore it and {@link ImageResizer} applies it to the (smaller) decoded image.
   */
  public static int jpegOrientation(byte[] b) {
    int i = 2;
    while (i + 4 < b.length) {
      if (u8(b, i) != 0xFF) {
        i++; // extraneous bytes before a marker, skipped as libjpeg does
        continue;
      }
      int marker = u8(b, i + 1);
      if (marker == 0xFF) {
        i++;
        continue;
      }
      if (marker == 0xD8 || marker == 0x01 || marker == 0x00 || (marker >= 0xD0 && marker <= 0xD7)) {
        i += 2;
        continue;
      }
      if (marker == 0xDA || marker == 0xD9) {
        return 1;
      }
      int len = (u8(b, i + 2) << 8) | u8(b, i + 3);
      int start = i + 4;
      if (marker == 0xE1 && len >= 16 && start + 14 <= b.length && b[start] == 'E' && b[start + 1] == 'x'
          && b[start + 2] == 'i' && b[start + 3] == 'f' && b[start + 4] == 0 && b[start + 5] == 0) {
        int tiff = start + 6;
        int end = Math.min(b.length, i + 2 + len);
        try {
          ByteBuffer bb = ByteBuffer.wrap(b, 0, end).order(b[tiff] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
          int ifd = tiff + bb.getInt(tiff + 4);
          int n = bb.getShort(ifd) & 0xffff;
          for (int k = 0; k < n; k++) {
            int e = ifd + 2 + 12 * k;
            if ((bb.getShort(e) & 0xffff) == 0x0112) {
              int v = bb.getShort(e + 8) & 0xffff;
              return v >= 1 && v <= 8 ? v : 1;
            }
          }
        } catch (IndexOutOfBoundsException e) {
          return 1;
        }
        return 1;
      }
      i += 2 + len;
    }
    return 1;
  }

  private static int u8(byte[] b, int i) {
    return b[i] & 0xff;
  }

  @Override
  public String toString() {
    return format + " " + width + "x" + height;
  }
}
