package dev.labelbeam.benchmarks;

import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.images.ImageResizer;
import dev.labelbeam.transforms.images.JpegScanCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.bytedeco.opencv.global.opencv_core;

/**
 * The Java half of {@code benchmarks/scripts/jpeg-check-vs-djpeg.sh}. {@code verdicts DIR} prints, per
 * file, {@link JpegScanCheck}'s verdict ({@code ok} or the problem), to compare with libjpeg-turbo's
 * {@code djpeg} warnings. {@code time DIR} times, on one thread over files already in memory, the check
 * alone and the whole preprocess of an image (check + reduced decode + resize shorter side to 256 + JPEG
 * q90) with and without the check, and prints milliseconds per file.
 */
public final class JpegCheckVsDjpeg {
  private JpegCheckVsDjpeg() {}

  public static void main(String[] args) throws Exception {
    List<Path> paths = FileTimer.list(Path.of(args[1]));
    if (args[0].equals("verdicts")) {
      for (Path p : paths) {
        System.out.println(p.getFileName() + "\t" + JpegScanCheck.problem(Files.readAllBytes(p)).orElse("ok"));
      }
      return;
    }
    opencv_core.setNumThreads(1);
    List<byte[]> files = FileTimer.readAll(Path.of(args[1]));
    ImageOptions o = ImageOptions.defaults();
    ImageResizer checked = o.resizer();
    ImageResizer unchecked = o.withAcceptCorruptJpeg(true).resizer();
    double check = FileTimer.bestPass(files, f -> JpegScanCheck.problem(f));
    double with = FileTimer.bestPass(files, checked::process);
    double without = FileTimer.bestPass(files, unchecked::process);
    int n = files.size();
    System.out.printf(Locale.ROOT, "check_ms=%.3f preprocess_checked_ms=%.3f preprocess_unchecked_ms=%.3f%n",
        1e3 * check / n, 1e3 * with / n, 1e3 * without / n);
  }
}
