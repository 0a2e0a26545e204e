package dev.labelbeam.transforms.images;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import dev.labelbeam.transforms.errors.Reason;
import java.io.Serializable;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Decode, resize (shorter side to {@code shorterSide}, aspect kept; area interpolation when
 * shrinking) and re-encode as JPEG, with OpenCV. JPEGs are decoded at a reduced DCT scale when the
 * target allows it. Native memory is released before each call returns.
 *
 * <p>Thread-safe (no mutable state); OpenCV's own threading is left to OpenCV.
 */
public final class ImageResizer implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Decoded images above this many pixels are refused instead of risking the heap. */
  public static final long MAX_PIXELS = 178_956_970L;

  private final int shorterSide;
  private final int jpegQuality;

  /**
   * @param shorterSide target length of the shorter side, in [8, 8192]
   * @param jpegQuality JPEG quality, in [1, 100]
   */
  public ImageResizer(int shorterSide, int jpegQuality) {
    if (shorterSide < 8 || shorterSide > 8192) {
      throw new IllegalArgumentException("shorterSide must be in [8, 8192], was " + shorterSide);
    }
    if (jpegQuality < 1 || jpegQuality > 100) {
      throw new IllegalArgumentException("jpegQuality must be in [1, 100], was " + jpegQuality);
    }
    this.shorterSide = shorterSide;
    this.jpegQuality = jpegQuality;
  }

  public int shorterSide() {
    return shorterSide;
  }

  /** The result: encoded JPEG bytes and the size after resizing. */
  public static final class Resized {
    public final byte[] jpeg;
    public final int width;
    public final int height;

    Resized(byte[] jpeg, int width, int height) {
      this.jpeg = jpeg;
      this.width = width;
      this.height = height;
    }
  }

  /** The output size for an input of {@code w × h}: shorter side to the target, aspect kept. */
  public int[] targetSize(int w, int h) {
    if (w <= h) {
      return new int[] {shorterSide, Math.max(1, (int) Math.round((double) h * shorterSide / w))};
    }
    return new int[] {Math.max(1, (int) Math.round((double) w * shorterSide / h)), shorterSide};
  }

  /**
   * Decodes, resizes and encodes one image.
   *
   * @throws ImageProcessingException with {@link Reason#EMPTY_FILE}, {@link Reason#DECODE_FAILED}
   *     or {@link Reason#TOO_LARGE}
   */
  public Resized process(byte[] bytes) throws ImageProcessingException {
    if (bytes.length == 0) {
      throw new ImageProcessingException(Reason.EMPTY_FILE, "file has zero bytes");
    }
    int flags = IMREAD_COLOR;
    int[] dims = JpegHeader.dimensions(bytes);
    if (dims != null) {
      if ((long) dims[0] * dims[1] > MAX_PIXELS) {
        throw new ImageProcessingException(
            Reason.TOO_LARGE, "image is " + dims[0] + "x" + dims[1] + ", above " + MAX_PIXELS + " pixels");
      }
      switch (JpegHeader.reductionFor(dims[0], dims[1], shorterSide)) {
        case 8:
          flags = IMREAD_REDUCED_COLOR_8;
          break;
        case 4:
          flags = IMREAD_REDUCED_COLOR_4;
          break;
        case 2:
          flags = IMREAD_REDUCED_COLOR_2;
          break;
        default:
          flags = IMREAD_COLOR;
      }
    }
    try (PointerScope scope = new PointerScope()) {
      Mat buf = new Mat(1, bytes.length, opencv_core.CV_8UC1);
      buf.data().put(bytes);
      Mat img;
      try {
        img = imdecode(buf, flags);
      } catch (RuntimeException e) {
        throw new ImageProcessingException(Reason.DECODE_FAILED, "OpenCV could not decode: " + e.getMessage());
      }
      if (img == null || img.empty()) {
        throw new ImageProcessingException(
            Reason.DECODE_FAILED, "not a decodable image (" + bytes.length + " bytes)");
      }
      int[] size = targetSize(img.cols(), img.rows());
      Mat out = new Mat();
      boolean shrinking = size[0] < img.cols();
      resize(img, out, new Size(size[0], size[1]), 0, 0, shrinking ? INTER_AREA : INTER_LINEAR);
      BytePointer encoded = new BytePointer();
      if (!imencode(".jpg", out, encoded, new IntPointer(IMWRITE_JPEG_QUALITY, jpegQuality))) {
        throw new ImageProcessingException(Reason.DECODE_FAILED, "JPEG encoding failed");
      }
      byte[] jpeg = new byte[(int) encoded.limit()];
      encoded.get(jpeg);
      return new Resized(jpeg, size[0], size[1]);
    }
  }
}
