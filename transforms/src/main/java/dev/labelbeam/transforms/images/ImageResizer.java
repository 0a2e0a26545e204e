package dev.labelbeam.transforms.images;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import dev.labelbeam.transforms.errors.Reason;
import java.io.Serializable;
import java.util.Locale;
import java.util.Optional;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Decode, resize and re-encode one image with OpenCV.
 *
 * <ul>
 *   <li>Input: JPEG, PNG (transparency composited on white, as for GIF and WebP; 16-bit scaled to
 *       8-bit, palette expanded), GIF, BMP, WebP, TIFF; grayscale and CMYK become RGB; the EXIF
 *       orientation is applied. JPEGs are decoded at a reduced DCT scale (1/2, 1/4, 1/8) whenever the
 *       target size allows it.
 *   <li>Checks before decoding: the header must be readable (a file whose header cannot be read is
 *       refused, so no decodable file escapes the limits), declare a size of at least 1 × 1, at most
 *       {@code maxPixels} pixels (decompression bombs are refused without allocating) and an aspect
 *       ratio of at most {@code maxAspectRatio}, so the output is bounded too; JPEG/PNG files must not
 *       be cut short (data after their end is allowed); a JPEG's compressed data must not be corrupt
 *       ({@link JpegScanCheck}), unless {@code acceptCorruptJpeg}.
 *   <li>Resize per {@link ResizeSpec}, area interpolation when shrinking, linear when enlarging.
 *   <li>Output: {@code jpeg} (with quality), {@code png}, or {@code raw} (RGB bytes, row-major HWC).
 * </ul>
 *
 * Native memory is released before each call returns. Thread-safe.
 */
public final class ImageResizer implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Default cap on declared pixels: 100 megapixels (a 20,000 × 5,000 image). */
  public static final long DEFAULT_MAX_PIXELS = 100_000_000L;
  /**
   * Default cap on the longer side over the shorter: 20 (wide panoramas pass). A 1 × 30,000 PNG of
   * 139 bytes once asked for a 256 × 7,680,000 output (6 GB) under "shorter side to 256".
   */
  public static final double DEFAULT_MAX_ASPECT_RATIO = 20;

  /** Output encodings. */
  public enum Output {
    JPEG("jpeg"),
    PNG("png"),
    RAW("raw");

    public final String name;

    Output(String name) {
      this.name = name;
    }

    /** The lowercase name ({@code jpeg}), as the command line and {@code dataset.json} write it. */
    @Override
    public String toString() {
      return name;
    }

    public static Output parse(String s) {
      for (Output o : values()) {
        if (o.name.equals(s.toLowerCase(Locale.ROOT))) {
          return o;
        }
      }
      throw new IllegalArgumentException("output format must be jpeg, png or raw, was '" + s + "'");
    }
  }

  private final ResizeSpec resize;
  private final Output output;
  private final int jpegQuality;
  private final long maxPixels;
  private final double maxAspectRatio;
  private final boolean acceptCorruptJpeg;

  public ImageResizer(ResizeSpec resize, Output output, int jpegQuality, long maxPixels) {
    this(resize, output, jpegQuality, maxPixels, DEFAULT_MAX_ASPECT_RATIO);
  }

  /** As the full constructor, corrupt JPEG data refused. */
  public ImageResizer(ResizeSpec resize, Output output, int jpegQuality, long maxPixels, double maxAspectRatio) {
    this(resize, output, jpegQuality, maxPixels, maxAspectRatio, false);
  }

  /**
   * @param maxPixels images declaring more pixels, or whose output would have more, are refused
   * @param maxAspectRatio images whose longer side exceeds the shorter this many times are refused
   * @param acceptCorruptJpeg keep JPEGs whose entropy-coded data is corrupt ({@link JpegScanCheck}),
   *     with the damaged part as libjpeg fills it (gray); false refuses them as {@code corrupt_data}
   */
  public ImageResizer(ResizeSpec resize, Output output, int jpegQuality, long maxPixels, double maxAspectRatio,
      boolean acceptCorruptJpeg) {
    this.acceptCorruptJpeg = acceptCorruptJpeg;
    if (!(maxAspectRatio >= 1)) {
      throw new IllegalArgumentException("maxAspectRatio must be >= 1, was " + maxAspectRatio);
    }
    this.maxAspectRatio = maxAspectRatio;
    if (jpegQuality < 1 || jpegQuality > 100) {
      throw new IllegalArgumentException("jpegQuality must be in [1, 100], was " + jpegQuality);
    }
    if (maxPixels < 1) {
      throw new IllegalArgumentException("maxPixels must be >= 1, was " + maxPixels);
    }
    this.resize = resize;
    this.output = output;
    this.jpegQuality = jpegQuality;
    this.maxPixels = maxPixels;
  }

  /** Shorter side to {@code shorterSide}, JPEG output at {@code jpegQuality}. */
  public ImageResizer(int shorterSide, int jpegQuality) {
    this(ResizeSpec.shorterSide(shorterSide), Output.JPEG, jpegQuality, DEFAULT_MAX_PIXELS);
  }

  public ResizeSpec resize() {
    return resize;
  }

  public Output output() {
    return output;
  }

  /** The result: encoded bytes, their format and the size after resizing. */
  public static final class Resized {
    public final byte[] bytes;
    public final String format;
    public final int width;
    public final int height;

    Resized(byte[] bytes, String format, int width, int height) {
      this.bytes = bytes;
      this.format = format;
      this.width = width;
      this.height = height;
    }
  }

  /** The output size for an input of {@code w × h}. */
  public int[] targetSize(int w, int h) {
    return resize.target(w, h);
  }

  /**
   * Decodes, resizes and encodes one image.
   *
   * @throws ImageProcessingException with {@link Reason#EMPTY_FILE}, {@link Reason#TOO_MANY_PIXELS},
   *     {@link Reason#INVALID_HEADER}, {@link Reason#EXTREME_ASPECT_RATIO}, {@link Reason#TRUNCATED},
   *     {@link Reason#CORRUPT_DATA} or {@link Reason#DECODE_FAILED}
   */
  public Resized process(byte[] bytes) throws ImageProcessingException {
    if (bytes.length == 0) {
      throw new ImageProcessingException(Reason.EMPTY_FILE, "file has zero bytes");
    }
    ImageHeader header = checkedHeader(bytes);
    if (ImageHeader.isTruncated(header.format, bytes)) {
      throw new ImageProcessingException(Reason.TRUNCATED,
          header.format + " file of " + bytes.length + " bytes ends before the image does");
    }
    int orientation = 1;
    int flags = IMREAD_COLOR;
    boolean alpha = ALPHA_FORMATS.contains(header.format);
    if (alpha) {
      flags = IMREAD_UNCHANGED; // keep the alpha channel, composited on white below
    } else if (header.format.equals("jpeg")) {
      if (!acceptCorruptJpeg) {
        Optional<String> problem = JpegScanCheck.problem(bytes);
        if (problem.isPresent()) {
          throw new ImageProcessingException(Reason.CORRUPT_DATA,
              "corrupt JPEG data: " + problem.get() + " (libjpeg would fill the rest of the image with gray)");
        }
      }
      orientation = ImageHeader.jpegOrientation(bytes);
      flags = IMREAD_IGNORE_ORIENTATION;
      switch (resize.jpegReduction(header.width, header.height)) {
        case 8:
          flags |= IMREAD_REDUCED_COLOR_8;
          break;
        case 4:
          flags |= IMREAD_REDUCED_COLOR_4;
          break;
        case 2:
          flags |= IMREAD_REDUCED_COLOR_2;
          break;
        default:
          flags |= IMREAD_COLOR;
      }
    }
    try (PointerScope scope = new PointerScope()) {
      Mat buf = new Mat(1, bytes.length, opencv_core.CV_8UC1);
      buf.data().put(bytes);
      Mat img;
      try {
        img = imdecode(buf, flags);
      } catch (RuntimeException e) {
        throw new ImageProcessingException(Reason.DECODE_FAILED, "OpenCV could not decode: " + firstLine(e.getMessage()));
      }
      if (img == null || img.empty()) {
        throw new ImageProcessingException(Reason.DECODE_FAILED,
            "corrupt " + header.format + " data (" + bytes.length + " bytes)");
      }
      if (alpha) {
        img = onWhite(img);
      }
      img = orient(img, orientation);
      int[] size = resize.target(img.cols(), img.rows());
      Mat out = img;
      if (size[0] != img.cols() || size[1] != img.rows()) {
        out = new Mat();
        boolean shrinking = (long) size[0] * size[1] < (long) img.cols() * img.rows();
        org.bytedeco.opencv.global.opencv_imgproc.resize(img, out, new Size(size[0], size[1]), 0, 0, shrinking ? INTER_AREA : INTER_LINEAR);
      }
      return new Resized(encode(out), output.name, size[0], size[1]);
    }
  }

  /**
   * The header, checked against the limits before any pixel is decoded.
   *
   * @throws ImageProcessingException {@code decode_failed} for a format we do not read,
   *     {@code invalid_header}, {@code too_many_pixels} (declared or in the output) or
   *     {@code extreme_aspect_ratio}
   */
  ImageHeader checkedHeader(byte[] bytes) throws ImageProcessingException {
    ImageHeader header = ImageHeader.read(bytes);
    if (header == null) {
      String format = ImageHeader.formatOf(bytes);
      if (format == null) {
        throw new ImageProcessingException(Reason.DECODE_FAILED,
            "not a supported image format (JPEG, PNG, GIF, BMP, WebP or TIFF; " + bytes.length + " bytes)");
      }
      if (ImageHeader.isTruncated(format, bytes)) {
        throw new ImageProcessingException(Reason.TRUNCATED,
            format + " file of " + bytes.length + " bytes ends before its header does");
      }
      throw new ImageProcessingException(Reason.INVALID_HEADER,
          "the " + format + " header cannot be read (" + bytes.length + " bytes), so its size is unknown");
    }
    if (header.width <= 0 || header.height <= 0) {
      throw new ImageProcessingException(Reason.INVALID_HEADER, "header declares " + header);
    }
    if (header.pixels() > maxPixels) {
      throw new ImageProcessingException(Reason.TOO_MANY_PIXELS,
          "header declares " + header + " (" + header.pixels() + " pixels), the limit is " + maxPixels);
    }
    double aspect = (double) Math.max(header.width, header.height) / Math.min(header.width, header.height);
    if (aspect > maxAspectRatio) {
      throw new ImageProcessingException(Reason.EXTREME_ASPECT_RATIO, String.format(Locale.ROOT,
          "%s has an aspect ratio of %.1f, the limit is %.1f", header, aspect, maxAspectRatio));
    }
    int[] out = resize.target(header.width, header.height);
    long outputLimit = Math.max(maxPixels, DEFAULT_MAX_PIXELS); // a small input limit must not refuse upsizing
    if ((long) out[0] * out[1] > outputLimit) {
      throw new ImageProcessingException(Reason.TOO_MANY_PIXELS,
          "the output of " + header + " would be " + out[0] + "x" + out[1] + ", over the limit of " + outputLimit);
    }
    return header;
  }

  /** Formats that can carry transparency: decoded with their alpha channel and composited on white. */
  static final java.util.Set<String> ALPHA_FORMATS = java.util.Set.of("png", "gif", "webp");

  /**
   * An image decoded as it is stored (1 to 4 channels, 8 or 16 bits) as 8-bit BGR, transparent parts
   * composited on white: a transparent pixel keeps no color of its own (a GIF's arrow on transparency
   * once turned all black). 16-bit values are scaled to 8 bits.
   */
  static Mat onWhite(Mat img) {
    Mat m = img;
    if (m.depth() == opencv_core.CV_16U) {
      Mat t = new Mat();
      m.convertTo(t, opencv_core.CV_8U, 1 / 257.0, 0);
      m = t;
    }
    int ch = m.channels();
    if (ch == 3) {
      return m;
    }
    if (ch == 1) {
      Mat t = new Mat();
      cvtColor(m, t, org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR);
      return t;
    }
    int w = m.cols();
    int h = m.rows();
    Mat src = m.isContinuous() ? m : m.clone();
    byte[] in = new byte[w * h * ch];
    src.data().get(in);
    byte[] out = new byte[w * h * 3];
    for (int i = 0, o = 0; i < in.length; i += ch, o += 3) {
      int a = in[i + ch - 1] & 0xff;
      for (int k = 0; k < 3; k++) {
        int v = in[i + (ch == 2 ? 0 : k)] & 0xff; // gray + alpha: the gray value in each channel
        out[o + k] = (byte) ((v * a + 255 * (255 - a) + 127) / 255);
      }
    }
    Mat t = new Mat(h, w, opencv_core.CV_8UC3);
    t.data().put(out);
    return t;
  }

  /** Applies an EXIF orientation (1-8) to a decoded image. */
  static Mat orient(Mat img, int orientation) {
    if (orientation <= 1 || orientation > 8) {
      return img;
    }
    Mat out = new Mat();
    switch (orientation) {
      case 2:
        opencv_core.flip(img, out, 1);
        break;
      case 3:
        opencv_core.rotate(img, out, opencv_core.ROTATE_180);
        break;
      case 4:
        opencv_core.flip(img, out, 0);
        break;
      case 5:
        opencv_core.transpose(img, out);
        break;
      case 6:
        opencv_core.rotate(img, out, opencv_core.ROTATE_90_CLOCKWISE);
        break;
      case 7:
        {
          Mat t = new Mat();
          opencv_core.transpose(img, t);
          opencv_core.flip(t, out, -1);
          break;
        }
      default:
        opencv_core.rotate(img, out, opencv_core.ROTATE_90_COUNTERCLOCKWISE);
    }
    return out;
  }

  private byte[] encode(Mat bgr) throws ImageProcessingException {
    if (output == Output.RAW) {
      Mat rgb = new Mat();
      cvtColor(bgr, rgb, COLOR_BGR2RGB);
      byte[] raw = new byte[rgb.rows() * rgb.cols() * 3];
      rgb.data().get(raw);
      return raw;
    }
    BytePointer encoded = new BytePointer();
    boolean ok = output == Output.JPEG
        ? imencode(".jpg", bgr, encoded, new IntPointer(IMWRITE_JPEG_QUALITY, jpegQuality))
        : imencode(".png", bgr, encoded);
    if (!ok) {
      throw new ImageProcessingException(Reason.DECODE_FAILED, output.name + " encoding failed");
    }
    byte[] out = new byte[(int) encoded.limit()];
    encoded.get(out);
    return out;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
