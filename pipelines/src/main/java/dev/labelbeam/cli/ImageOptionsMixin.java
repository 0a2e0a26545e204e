package dev.labelbeam.cli;

import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.images.ImageResizer;
import dev.labelbeam.transforms.images.ResizeSpec;
import picocli.CommandLine.Option;

/**
 * The command-line face of {@link ImageOptions}: every field starts at {@link ImageOptions#defaults()}
 * (picocli shows those values), and {@link #options()} builds the value, whose constructor checks it.
 */
public final class ImageOptionsMixin {
  private static final ImageOptions D = ImageOptions.defaults();

  @Option(names = "--resize", converter = ResizeSpecConverter.class, description = "shorter:S (shorter side to S, "
      + "aspect kept), fit:WxH (fit in a box, aspect kept) or exact:WxH.")
  ResizeSpec resize = D.resize();

  @Option(names = "--output-format", description = "jpeg, png or raw (RGB bytes).")
  ImageResizer.Output outputFormat = D.outputFormat();

  @Option(names = "--jpeg-quality", description = "JPEG quality of the re-encoded images (1-100).")
  int jpegQuality = D.jpegQuality();

  @Option(names = "--max-pixels", description = "Images whose header declares more pixels are dead-lettered before "
      + "decoding (decompression bombs).")
  long maxPixels = D.maxPixels();

  @Option(names = "--max-file-mb", description = "Larger files are dead-lettered unread.")
  long maxFileMb = D.maxFileBytes() >> 20;

  @Option(names = "--max-aspect-ratio", description = "Images whose longer side is more than this many times the "
      + "shorter are dead-lettered before decoding (extreme_aspect_ratio): it bounds the resized output.")
  double maxAspectRatio = D.maxAspectRatio();

  @Option(names = "--accept-corrupt-jpeg", description = "Keep JPEGs whose compressed data is corrupt (libjpeg's "
      + "'Corrupt JPEG data' warnings: a bad Huffman code, a scan cut short, bytes left over), their damaged part gray "
      + "as libjpeg fills it. Default: off (they are dead-lettered as corrupt_data).")
  boolean acceptCorruptJpeg = D.acceptCorruptJpeg();

  /** The options given, checked. */
  public ImageOptions options() {
    return new ImageOptions(resize, outputFormat, jpegQuality, maxPixels, maxFileMb << 20, maxAspectRatio,
        acceptCorruptJpeg);
  }

  /** Parses {@code shorter:S}, {@code fit:WxH} or {@code exact:WxH}. */
  static final class ResizeSpecConverter implements picocli.CommandLine.ITypeConverter<ResizeSpec> {
    @Override
    public ResizeSpec convert(String value) {
      return ResizeSpec.parse(value);
    }
  }
}
