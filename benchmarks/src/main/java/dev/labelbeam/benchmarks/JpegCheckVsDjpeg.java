package dev.labelbeam.benchmarks;

import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.images.ImageProcessingException;
import dev.labelbeam.transforms.images.ImageResizer;
import dev.labelbeam.transforms.images.JpegScanCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
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
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of(args[1]))) {
      s.sorted().forEach(paths::add);
    }
    if (args[0].equals("verdicts")) {
      for (Path p : paths) {
        System.out.println(p.getFileName() + "\t" + JpegScanCheck.problem(Files.readAllBytes(p)).orElse("ok"));
      }
      return;
    }
    opencv_core.setNumThreads(1);
    List<byte[]> files = new ArrayList<>();
    for (Path p : paths) {
      files.add(Files.readAllBytes(p));
    }
    ImageOptions o = ImageOptions.defaults();
    ImageResizer checked = o.resizer();
    ImageResizer unchecked = o.withAcceptCorruptJpeg(true).resizer();
    double check = best(files, f -> JpegScanCheck.problem(f));
    double with = best(files, checked::process);
    double without = best(files, unchecked::process);
    int n = files.size();
    System.out.printf(Locale.ROOT, "check_ms=%.3f preprocess_checked_ms=%.3f preprocess_unchecked_ms=%.3f%n",
        1e3 * check / n, 1e3 * with / n, 1e3 * without / n);
  }

  interface Work {
    void run(byte[] file) throws ImageProcessingException;
  }

  /** The best of 5 timed passes after 3 s of warm-up passes (the JIT compiles the walk), in seconds. */
  private static double best(List<byte[]> files, Work w) throws ImageProcessingException {
    long warm = System.nanoTime() + 3_000_000_000L;
    while (System.nanoTime() < warm) {
      for (byte[] f : files) {
        w.run(f);
      }
    }
    double best = Double.MAX_VALUE;
    for (int rep = 0; rep < 5; rep++) {
      long t0 = System.nanoTime();
      for (byte[] f : files) {
        w.run(f);
      }
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    return best;
  }
}
