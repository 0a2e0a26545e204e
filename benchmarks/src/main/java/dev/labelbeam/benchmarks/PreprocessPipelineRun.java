package dev.labelbeam.benchmarks;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.transforms.PreprocessImages;
import dev.labelbeam.transforms.images.ImageOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * Whole-pipeline preprocess runs (issue 3):
 *
 * <ul>
 *   <li>{@code throughput DIR N RUNNER}: N photo-like 500×375 JPEGs through {@code PreprocessImages}
 *       on {@code flink} (embedded, parallelism 2) or {@code direct}; prints images/s and the share of
 *       worker time spent outside decode/resize/encode (from the {@code decode_resize_encode_micros}
 *       counter).
 *   <li>{@code heap DIR}: run under a small heap ({@code -Xmx2g}): a 20,000-pixel-wide JPEG (processed
 *       through the reduced decode), a PNG whose header claims 20,000 × 20,000 (rejected), and a
 *       1,000,000-row manifest (1,000 files, each listed 1,000 times: 999,000 duplicate ids).
 * </ul>
 */
public final class PreprocessPipelineRun {
  private PreprocessPipelineRun() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[1]);
    Files.createDirectories(dir.resolve("img"));
    if (args[0].equals("throughput")) {
      int n = Integer.parseInt(args[2]);
      String runner = args[3];
      List<String> lines = new ArrayList<>();
      Random rnd = new Random(1);
      for (int i = 0; i < n; i++) {
        String name = String.format("img/%05d.jpg", i);
        Files.write(dir.resolve(name), PreprocessVsPillow.photo(rnd, 500, 375));
        lines.add(name + "," + (char) ('a' + rnd.nextInt(5)) + "|" + (char) ('f' + rnd.nextInt(5)));
      }
      Files.write(dir.resolve("m.csv"), lines);
      Files.write(dir.resolve("m-quarter.csv"), lines.subList(0, n / 4));
      int parallelism = 2;
      run(dir, runner, parallelism, PreprocessImages.fromManifest(dir.resolve("m-quarter.csv").toString())); // warm-up
      double[] quarter = timed(dir, runner, parallelism, "m-quarter.csv");
      double[] full = timed(dir, runner, parallelism, "m.csv");
      double wall = full[0];
      double micros = full[1];
      DatasetInfo info = DatasetInfo.read(dir.resolve("out").resolve(DatasetInfo.FILE_NAME));
      System.out.printf(Locale.ROOT, "preprocess pipeline on %s, parallelism %d: %d images (500x375 -> shorter side 256) in %.1f s = %.1f images/s%n",
          runner, parallelism, n, wall, n / wall);
      System.out.printf(Locale.ROOT, "  decode/resize/encode %.1f s of %.1f worker-seconds: %.0f%% of the time is spent outside it (start-up, reading, sharding, writing)%n",
          micros / 1e6, wall * parallelism, 100 * (1 - micros / 1e6 / (wall * parallelism)));
      // the fixed cost (mini-cluster start, one set-up per stage) cancels in the difference of two sizes
      int extra = n - n / 4;
      double dWall = full[0] - quarter[0];
      double dMicros = full[1] - quarter[1];
      System.out.printf(Locale.ROOT, "  marginal, the %d images beyond the first %d: %.1f images/s; %.0f%% of their worker time is "
          + "outside decode/resize/encode; fixed cost about %.1f s%n", extra, n / 4, extra / dWall,
          100 * (1 - dMicros / 1e6 / (dWall * parallelism)), wall - n * dWall / extra);
      System.out.printf("  written %s, dead-lettered %s%n", info.records, info.deadLetters);
      return;
    }
    // heap: a very wide image, a bomb header, and a million-row manifest
    Mat wide = new Mat(2000, 20_000, opencv_core.CV_8UC3, new Scalar(30, 120, 200, 0));
    BytePointer b = new BytePointer();
    imencode(".jpg", wide, b, new IntPointer(IMWRITE_JPEG_QUALITY, 90));
    byte[] jpeg = new byte[(int) b.limit()];
    b.get(jpeg);
    wide.close();
    Files.write(dir.resolve("img/wide.jpg"), jpeg);
    Files.write(dir.resolve("img/bomb.png"), bombPng(20_000, 20_000));
    List<String> lines = new ArrayList<>(List.of("img/wide.jpg,wide", "img/bomb.png,bomb"));
    byte[] small = PreprocessVsPillow.photo(new Random(2), 64, 48);
    for (int f = 0; f < 1000; f++) {
      Files.write(dir.resolve(String.format("img/s%04d.jpg", f)), small);
    }
    for (int k = 0; k < 1000; k++) {
      for (int f = 0; f < 1000; f++) {
        lines.add(String.format("img/s%04d.jpg,l%d", f, k % 7));
      }
    }
    Files.write(dir.resolve("m.csv"), lines);
    long t0 = System.nanoTime();
    run(dir, "flink", 2, PreprocessImages.fromManifest(dir.resolve("m.csv").toString()).withImageOptions(ImageOptions.defaults().withShorterSide(64)));
    DatasetInfo info = DatasetInfo.read(dir.resolve("out").resolve(DatasetInfo.FILE_NAME));
    System.out.printf(Locale.ROOT, "heap run (max heap %.0f MB): %d input records in %.1f s; written %s, dead-lettered %s%n",
        Runtime.getRuntime().maxMemory() / 1e6, info.inputRecords, (System.nanoTime() - t0) / 1e9, info.records, info.deadLetters);
  }

  /** One run over the manifest {@code name}: {wall seconds, decode/resize/encode microseconds}. */
  static double[] timed(Path dir, String runner, int parallelism, String name) {
    long t0 = System.nanoTime();
    PipelineResult result = run(dir, runner, parallelism, PreprocessImages.fromManifest(dir.resolve(name).toString()));
    return new double[] {(System.nanoTime() - t0) / 1e9, counter(result, "decode_resize_encode_micros")};
  }

  static PipelineResult run(Path dir, String runner, int parallelism, PreprocessImages t) {
    String[] opts = runner.equals("flink")
        ? new String[] {"--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=" + parallelism}
        : new String[] {"--runner=DirectRunner", "--targetParallelism=" + parallelism};
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(opts).create());
    p.apply(t.to(dir.resolve("out").toString()));
    PipelineResult r = p.run();
    r.waitUntilFinish();
    return r;
  }

  static long counter(PipelineResult r, String name) {
    MetricQueryResults q = r.metrics().queryMetrics(MetricsFilter.builder().addNameFilter(MetricNameFilter.named(
        dev.labelbeam.transforms.images.DecodeAndResize.class, name)).build());
    long sum = 0;
    for (MetricResult<Long> c : q.getCounters()) {
      try {
        sum += c.getAttempted();
      } catch (UnsupportedOperationException e) {
        sum += c.getCommitted();
      }
    }
    return sum;
  }

  static byte[] bombPng(int w, int h) {
    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
    png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
    byte[] ihdr = java.nio.ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).array();
    png.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(13).array());
    png.writeBytes("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    png.writeBytes(ihdr);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    crc.update(ihdr);
    png.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    png.writeBytes(new byte[] {0, 0, 0, 0, 'I', 'E', 'N', 'D', (byte) 0xAE, 0x42, 0x60, (byte) 0x82});
    return png.toByteArray();
  }
}
