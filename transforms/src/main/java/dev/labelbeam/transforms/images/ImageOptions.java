package dev.labelbeam.transforms.images;

import static dev.labelbeam.transforms.Preconditions.checkArgument;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How each image is read, resized and re-encoded: one immutable value shared by
 * {@link DecodeAndResize}, {@link dev.labelbeam.transforms.PreprocessImages} and the
 * {@code preprocess} command, so that every default and every check is written once (here).
 *
 * @param resize how to resize; default shorter side to 256 pixels, aspect kept
 * @param outputFormat encoding of the resized image; default {@link ImageResizer.Output#JPEG}
 * @param jpegQuality JPEG quality in [1, 100]; default 90 (ignored for PNG and raw)
 * @param maxPixels images whose header declares more pixels (width × height) are dead-lettered
 *     before decoding ({@code too_many_pixels}); at least 1, default 100,000,000
 * @param maxFileBytes larger files are dead-lettered unread ({@code file_too_large}); at least 1
 *     byte, default 64 MiB
 * @param maxAspectRatio images whose longer side is more than this many times the shorter are
 *     dead-lettered before decoding ({@code extreme_aspect_ratio}), which bounds the resized output;
 *     at least 1, default 20
 * @param acceptCorruptJpeg keep JPEGs whose entropy-coded data is corrupt (libjpeg's "Corrupt JPEG
 *     data" warnings, see {@link JpegScanCheck}), their damaged part gray as libjpeg fills it; default
 *     false: they are dead-lettered ({@code corrupt_data})
 */
public record ImageOptions(ResizeSpec resize, ImageResizer.Output outputFormat, int jpegQuality, long maxPixels,
    long maxFileBytes, double maxAspectRatio, boolean acceptCorruptJpeg) implements Serializable {

  /** Default shorter side, in pixels. */
  public static final int DEFAULT_SHORTER_SIDE = 256;
  /** Default JPEG quality. */
  public static final int DEFAULT_JPEG_QUALITY = 90;
  /** Default file size limit: 64 MiB. */
  public static final long DEFAULT_MAX_FILE_BYTES = 64L << 20;

  /** Validates every field; the message names the option, the value and what is allowed. */
  public ImageOptions {
    checkArgument(resize != null, "resize must be set, was %s", resize);
    checkArgument(outputFormat != null, "outputFormat must be one of jpeg, png, raw, was %s", outputFormat);
    checkArgument(jpegQuality >= 1 && jpegQuality <= 100, "jpegQuality must be in [1, 100], was %s", jpegQuality);
    checkArgument(maxPixels >= 1, "maxPixels must be >= 1, was %s", maxPixels);
    checkArgument(maxFileBytes >= 1, "maxFileBytes must be >= 1, was %s", maxFileBytes);
    checkArgument(maxAspectRatio >= 1, "maxAspectRatio must be >= 1, was %s", maxAspectRatio);
  }

  /** Shorter side 256, JPEG quality 90, at most 100M pixels and 64 MiB per file. */
  public static ImageOptions defaults() {
    return new ImageOptions(ResizeSpec.shorterSide(DEFAULT_SHORTER_SIDE), ImageResizer.Output.JPEG,
        DEFAULT_JPEG_QUALITY, ImageResizer.DEFAULT_MAX_PIXELS, DEFAULT_MAX_FILE_BYTES,
        ImageResizer.DEFAULT_MAX_ASPECT_RATIO, false);
  }

  /** A copy with another resize. */
  public ImageOptions withResize(ResizeSpec r) {
    return new ImageOptions(r, outputFormat, jpegQuality, maxPixels, maxFileBytes, maxAspectRatio, acceptCorruptJpeg);
  }

  /** A copy resizing the shorter side to {@code pixels} (in [8, 8192]), aspect kept. */
  public ImageOptions withShorterSide(int pixels) {
    checkArgument(pixels >= 8 && pixels <= 8192, "shorterSide must be in [8, 8192], was %s", pixels);
    return withResize(ResizeSpec.shorterSide(pixels));
  }

  /** A copy with another output encoding. */
  public ImageOptions withOutputFormat(ImageResizer.Output f) {
    return new ImageOptions(resize, f, jpegQuality, maxPixels, maxFileBytes, maxAspectRatio, acceptCorruptJpeg);
  }

  /** A copy with another JPEG quality, in [1, 100]. */
  public ImageOptions withJpegQuality(int q) {
    return new ImageOptions(resize, outputFormat, q, maxPixels, maxFileBytes, maxAspectRatio, acceptCorruptJpeg);
  }

  /** A copy with another pixel limit (>= 1). */
  public ImageOptions withMaxPixels(long n) {
    return new ImageOptions(resize, outputFormat, jpegQuality, n, maxFileBytes, maxAspectRatio, acceptCorruptJpeg);
  }

  /** A copy with another file size limit in bytes (>= 1). */
  public ImageOptions withMaxFileBytes(long n) {
    return new ImageOptions(resize, outputFormat, jpegQuality, maxPixels, n, maxAspectRatio, acceptCorruptJpeg);
  }

  /** A copy with another aspect ratio limit (>= 1). */
  public ImageOptions withMaxAspectRatio(double r) {
    return new ImageOptions(resize, outputFormat, jpegQuality, maxPixels, maxFileBytes, r, acceptCorruptJpeg);
  }

  /** A copy that keeps (true) or dead-letters (false) JPEGs with corrupt entropy-coded data. */
  public ImageOptions withAcceptCorruptJpeg(boolean accept) {
    return new ImageOptions(resize, outputFormat, jpegQuality, maxPixels, maxFileBytes, maxAspectRatio, accept);
  }

  /** The resizer these options describe. */
  public ImageResizer resizer() {
    return new ImageResizer(resize, outputFormat, jpegQuality, maxPixels, maxAspectRatio, acceptCorruptJpeg);
  }

  /** The options by name, as {@code dataset.json} and display data record them. */
  public Map<String, String> describe() {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("resize", resize.toString());
    o.put("output", outputFormat.name);
    o.put("jpegQuality", Integer.toString(jpegQuality));
    o.put("maxPixels", Long.toString(maxPixels));
    o.put("maxFileBytes", Long.toString(maxFileBytes));
    o.put("maxAspectRatio", Double.toString(maxAspectRatio));
    o.put("acceptCorruptJpeg", Boolean.toString(acceptCorruptJpeg));
    return o;
  }
}
