package dev.labelbeam.benchmarks;

import dev.labelbeam.transforms.images.ImageProcessingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Times work over files held in memory, as the single-core benchmarks against a peer do. */
final class FileTimer {
  private FileTimer() {}

  /** One file's work. */
  interface Work {
    void run(byte[] file) throws ImageProcessingException;
  }

  /** The files of {@code dir}, by name. */
  static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  /** The contents of the files of {@code dir}, by name. */
  static List<byte[]> readAll(Path dir) throws IOException {
    List<byte[]> files = new ArrayList<>();
    for (Path p : list(dir)) {
      files.add(Files.readAllBytes(p));
    }
    return files;
  }

  /**
   * The best of 5 timed passes over {@code files}, in seconds, after 3 s of warm-up passes (the JIT
   * compiles the hot loops; one pass is not enough for small sets).
   */
  static double bestPass(List<byte[]> files, Work w) throws ImageProcessingException {
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
