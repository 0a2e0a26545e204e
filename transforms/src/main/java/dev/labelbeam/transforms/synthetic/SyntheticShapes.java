package dev.labelbeam.transforms.synthetic;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.circle;
import static org.bytedeco.opencv.global.opencv_imgproc.fillConvexPoly;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * The embedded demo and test dataset: JPEG images of colored shapes on noisy backgrounds, each with
 * the set of (color, shape) pairs it shows as labels, and a CSV manifest {@code path,labels}.
 * Deterministic: the same seed gives the same bytes on every machine (noise and placement come from
 * {@link Random}, not from OpenCV's generator).
 *
 * <p>12 labels: {@code red|green|blue} × {@code circle|square|triangle|cross}, e.g.
 * {@code blue_triangle}. Each image holds 1 to 3 distinct labels placed in distinct cells of a 3×3
 * grid.
 */
public final class SyntheticShapes {
  public static final List<String> COLORS = List.of("red", "green", "blue");
  public static final List<String> SHAPES = List.of("circle", "square", "triangle", "cross");
  /** Manifest file name inside the generated folder. */
  public static final String MANIFEST = "manifest.csv";
  /** How many bad manifest lines {@link #appendBadInputs} adds. */
  public static final int BAD_INPUTS = 5;

  private static final double[][] BGR = {{40, 40, 220}, {40, 190, 40}, {220, 70, 40}};

  private SyntheticShapes() {}

  /** All 12 label names, sorted (the vocabulary a preprocess run builds from the data). */
  public static List<String> labels() {
    List<String> out = new ArrayList<>();
    for (String c : COLORS) {
      for (String s : SHAPES) {
        out.add(c + "_" + s);
      }
    }
    Collections.sort(out);
    return out;
  }

  /**
   * Writes {@code count} images of {@code size × size} pixels under {@code dir/images/} and
   * {@code dir/manifest.csv}; returns the manifest's path.
   */
  public static Path generate(Path dir, int count, int size, long seed) {
    if (count < 1 || size < 32) {
      throw new IllegalArgumentException("count must be >= 1 and size >= 32, were " + count + ", " + size);
    }
    try {
      Files.createDirectories(dir.resolve("images"));
      StringBuilder manifest = new StringBuilder("path,labels\n");
      Random rnd = new Random(seed);
      for (int i = 0; i < count; i++) {
        String name = String.format("images/%06d.jpg", i);
        List<String> labels = new ArrayList<>();
        byte[] jpeg = render(rnd, size, labels);
        Files.write(dir.resolve(name), jpeg);
        manifest.append(name).append(',').append(String.join("|", labels)).append('\n');
      }
      Path m = dir.resolve(MANIFEST);
      Files.writeString(m, manifest.toString(), StandardCharsets.UTF_8);
      return m;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Adds one input of each kind the preprocess stage must dead-letter to a folder made by
   * {@link #generate}: a truncated JPEG, a zero-byte file, a text file named {@code .jpg}, a path that
   * does not exist and a manifest line without a comma. Returns how many manifest lines it appended
   * ({@value #BAD_INPUTS}); their reasons are decode_failed ×2, empty_file, unreadable_path and
   * bad_manifest_line.
   */
  public static int appendBadInputs(Path dir) {
    try {
      byte[] good = Files.readAllBytes(dir.resolve("images/000000.jpg"));
      Files.write(dir.resolve("images/truncated.jpg"), java.util.Arrays.copyOf(good, 120));
      Files.write(dir.resolve("images/empty.jpg"), new byte[0]);
      Files.writeString(dir.resolve("images/text.jpg"), "this is not an image\n");
      Files.writeString(dir.resolve(MANIFEST),
          "images/truncated.jpg,red_circle\n"
              + "images/empty.jpg,red_circle\n"
              + "images/text.jpg,blue_square\n"
              + "images/missing.jpg,green_cross\n"
              + "a line without any comma\n",
          StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
      return BAD_INPUTS;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Renders one image; adds its labels to {@code labelsOut}; returns JPEG bytes (quality 95). */
  static byte[] render(Random rnd, int size, List<String> labelsOut) {
    try (PointerScope scope = new PointerScope()) {
      byte[] noise = new byte[size * size * 3];
      int base = 70 + rnd.nextInt(70);
      for (int i = 0; i < noise.length; i++) {
        noise[i] = (byte) Math.max(0, Math.min(255, base + (int) (rnd.nextGaussian() * 25)));
      }
      Mat img = new Mat(size, size, opencv_core.CV_8UC3);
      img.data().put(noise);

      int objects = 1 + rnd.nextInt(3);
      List<Integer> cells = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8));
      Collections.shuffle(cells, rnd);
      List<Integer> kinds = new ArrayList<>();
      for (int k = 0; k < 12; k++) {
        kinds.add(k);
      }
      Collections.shuffle(kinds, rnd);
      int cell = size / 3;
      for (int o = 0; o < objects; o++) {
        int kind = kinds.get(o);
        int color = kind / 4;
        int shape = kind % 4;
        int cx = (cells.get(o) % 3) * cell + cell / 2 + rnd.nextInt(Math.max(1, cell / 6)) - cell / 12;
        int cy = (cells.get(o) / 3) * cell + cell / 2 + rnd.nextInt(Math.max(1, cell / 6)) - cell / 12;
        int r = (int) Math.round(cell * (0.28 + 0.14 * rnd.nextDouble()));
        Scalar bgr = new Scalar(jitter(rnd, BGR[color][0]), jitter(rnd, BGR[color][1]), jitter(rnd, BGR[color][2]), 0);
        draw(img, shape, cx, cy, r, bgr);
        labelsOut.add(COLORS.get(color) + "_" + SHAPES.get(shape));
      }
      BytePointer out = new BytePointer();
      imencode(".jpg", img, out, new IntPointer(IMWRITE_JPEG_QUALITY, 95));
      byte[] jpeg = new byte[(int) out.limit()];
      out.get(jpeg);
      return jpeg;
    }
  }

  private static double jitter(Random rnd, double v) {
    return Math.max(0, Math.min(255, v + rnd.nextInt(41) - 20));
  }

  private static void draw(Mat img, int shape, int cx, int cy, int r, Scalar bgr) {
    switch (shape) {
      case 0:
        circle(img, new Point(cx, cy), r, bgr, FILLED, LINE_AA, 0);
        break;
      case 1:
        rectangle(img, new Point(cx - r, cy - r), new Point(cx + r, cy + r), bgr, FILLED, LINE_AA, 0);
        break;
      case 2:
        {
          Point pts = new Point(3);
          pts.position(0).x(cx).y(cy - r);
          pts.position(1).x(cx - r).y(cy + r);
          pts.position(2).x(cx + r).y(cy + r);
          pts.position(0);
          fillConvexPoly(img, pts, 3, bgr, LINE_AA, 0);
          break;
        }
      default:
        {
          int t = Math.max(2, r / 3);
          rectangle(img, new Point(cx - r, cy - t), new Point(cx + r, cy + t), bgr, FILLED, LINE_AA, 0);
          rectangle(img, new Point(cx - t, cy - r), new Point(cx + t, cy + r), bgr, FILLED, LINE_AA, 0);
        }
    }
  }
}
