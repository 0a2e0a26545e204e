package dev.labelbeam.transforms.fuzz;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.labelbeam.transforms.images.ImageHeader;
import dev.labelbeam.transforms.images.ImageProcessingException;
import dev.labelbeam.transforms.images.ImageResizer;
import dev.labelbeam.transforms.images.JpegScanCheck;
import dev.labelbeam.transforms.images.ResizeSpec;
import dev.labelbeam.transforms.manifest.CsvManifestParser;
import dev.labelbeam.transforms.manifest.JsonlManifestParser;
import java.nio.charset.StandardCharsets;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Fuzz tests of what preprocess reads from outside: image headers and the manifest parsers. Without
 * {@code JAZZER_FUZZ} they run the committed corpus
 * ({@code src/test/resources/dev/labelbeam/transforms/fuzz/InputsFuzzTestInputs/<method>/});
 * {@code benchmarks/scripts/fuzz.sh} fuzzes them. A finding is any exception other than the documented
 * ones, a header that disagrees with what OpenCV decodes, or a hang.
 *
 * <p>The image corpus: {@code png_4x3}, {@code bmp_2x2}, {@code gif_1x1} written byte by byte (zlib for
 * the PNG's data); {@code python_*} are CPython's {@code Lib/test/imghdrdata} images (PSF license),
 * {@code debian-logo.png} Debian's {@code /usr/share/pixmaps/debian-logo.png}. The JPEG scan corpus
 * ({@code jpegScans/}): 24 × 16 photo-like JPEGs by OpenCV, baseline, progressive, with restart
 * intervals and both ({@code JpegScanCheckTest.opencvJpeg}).
 */
class InputsFuzzTest {
  private static final ImageResizer RESIZER = new ImageResizer(ResizeSpec.shorterSide(16), ImageResizer.Output.JPEG,
      90, 4_000_000);

  /**
   * The header reader never throws, and whenever the resizer's checks pass and OpenCV decodes the
   * bytes, the decoded size is the header's: the limits are judged on the size that is decoded.
   */
  @FuzzTest(maxDuration = "120s", maxExecutions = 30000)
  void imageHeader(byte[] data) {
    ImageHeader header = ImageHeader.read(data);
    ImageHeader.isTruncated(header == null ? "jpeg" : header.format, data);
    ImageHeader.jpegOrientation(data);
    try {
      RESIZER.process(data);
    } catch (ImageProcessingException documented) {
      return; // refused with a reason
    }
    try (PointerScope scope = new PointerScope()) {
      Mat buf = new Mat(1, data.length, opencv_core.CV_8UC1);
      buf.data().put(data);
      Mat img = imdecode(buf, IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION);
      if (img != null && !img.empty() && (img.cols() != header.width || img.rows() != header.height)) {
        throw new AssertionError("header says " + header + ", OpenCV decodes " + img.cols() + "x" + img.rows());
      }
    }
  }

  /**
   * The corrupt-data check of JPEG scans never throws and ends: it only reads, its memory grows with
   * the blocks the data actually codes, and it stops after {@code MAX_SCANS} scans.
   */
  @FuzzTest(maxDuration = "120s", maxExecutions = 100000)
  void jpegScans(byte[] data) {
    JpegScanCheck.problem(data);
  }

  /** A CSV manifest line parses or fails with IllegalArgumentException (dead letter) or IllegalStateException (swapped columns). */
  @FuzzTest(maxDuration = "120s", maxExecutions = 300000)
  void csvManifestLine(byte[] line) {
    String s = new String(line, StandardCharsets.UTF_8);
    CsvManifestParser p = new CsvManifestParser("/data/", CsvManifestParser.Columns.ofHeader(s));
    if (p.isSkippable(s)) {
      return;
    }
    try {
      p.parse(s);
    } catch (IllegalArgumentException | IllegalStateException documented) {
      // a dead letter, or the run stops with "the columns look swapped"
    }
  }

  /** A JSON Lines manifest line parses or fails with IllegalArgumentException (a dead letter). */
  @FuzzTest(maxDuration = "120s", maxExecutions = 300000)
  void jsonlManifestLine(byte[] line) {
    JsonlManifestParser p = new JsonlManifestParser("/data/");
    String s = new String(line, StandardCharsets.UTF_8);
    if (p.isSkippable(s)) {
      return;
    }
    try {
      p.parse(s);
    } catch (IllegalArgumentException documented) {
      // a dead letter
    }
  }
}
