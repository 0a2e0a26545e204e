package dev.labelbeam.benchmarks;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;
import static org.bytedeco.opencv.global.opencv_imgproc.circle;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import dev.labelbeam.transforms.images.ImageResizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * The Java half of the preprocess benchmark against Pillow. {@code write DIR W H N} writes N
 * photo-like JPEGs (smooth shapes, texture and sensor noise; quality 90) of W × H; {@code time DIR}
 * runs our decode (reduced DCT when possible) + resize (shorter side 256, area) + JPEG encode
 * (quality 90) on one thread over the files, already in memory, and prints images/s.
 */
public final class PreprocessVsPillow {
  private PreprocessVsPillow() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[1]);
    if (args[0].equals("write")) {
      int w = Integer.parseInt(args[2]);
      int h = Integer.parseInt(args[3]);
      int n = Integer.parseInt(args[4]);
      Files.createDirectories(dir);
      Random rnd = new Random(w * 31L + h);
      for (int i = 0; i < n; i++) {
        Files.write(dir.resolve(String.format("%04d.jpg", i)), photo(rnd, w, h));
      }
      return;
    }
    opencv_core.setNumThreads(1);
    List<byte[]> files = FileTimer.readAll(dir);
    ImageResizer r = new ImageResizer(256, 90);
    double best = FileTimer.bestPass(files, r::process);
    System.out.printf(Locale.ROOT, "java_images_per_s=%.2f%n", files.size() / best);
  }

  /** A photo-like image: blurred blobs and rectangles over a gradient, fine texture, sensor noise. */
  static byte[] photo(Random rnd, int w, int h) {
    try (PointerScope scope = new PointerScope()) {
      Mat img = new Mat(h, w, opencv_core.CV_8UC3, new Scalar(rnd.nextInt(200), rnd.nextInt(200), rnd.nextInt(200), 0));
      for (int k = 0; k < 40; k++) {
        Scalar c = new Scalar(rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256), 0);
        int x = rnd.nextInt(w);
        int y = rnd.nextInt(h);
        int s = 5 + rnd.nextInt(Math.max(6, Math.min(w, h) / 4));
        if (k % 2 == 0) {
          circle(img, new Point(x, y), s, c, -1, 16, 0);
        } else {
          rectangle(img, new Point(x, y), new Point(Math.min(w - 1, x + s), Math.min(h - 1, y + s / 2)), c, -1, 16, 0);
        }
      }
      GaussianBlur(img, img, new Size(0, 0), 1.5);
      byte[] px = new byte[w * h * 3];
      img.data().get(px);
      for (int i = 0; i < px.length; i++) {
        int v = (px[i] & 0xff) + (int) (rnd.nextGaussian() * 6);
        px[i] = (byte) Math.max(0, Math.min(255, v));
      }
      img.data().put(px);
      BytePointer out = new BytePointer();
      imencode(".jpg", img, out, new IntPointer(IMWRITE_JPEG_QUALITY, 90));
      byte[] jpeg = new byte[(int) out.limit()];
      out.get(jpeg);
      return jpeg;
    }
  }
}
