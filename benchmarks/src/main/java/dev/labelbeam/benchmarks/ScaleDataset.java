package dev.labelbeam.benchmarks;

import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/**
 * The scale variant of the demo's dataset (issue 17): the demo's images and their 12 learnable
 * shape/colour labels, plus 3 to 10 random "tail" labels per image drawn from a Zipf distribution
 * (exponent 1) over the rest of an 11,000-label vocabulary. The tail labels carry no signal, as most of
 * a real 11,000-label vocabulary carries little for a given image: they load the label bitsets, the
 * classifier, the loss, validation and evaluation with the mission's class count, while the 12 learnable
 * labels say whether training still learns what it can.
 *
 * <p>{@code java ... ScaleDataset DIR IMAGES [CLASSES] [SIZE|WxH] [SEED]} writes {@code DIR/images/},
 * {@code DIR/manifest.csv} ({@code path,labels}) and {@code DIR/labels.txt} (all classes, learnable
 * first, so that {@code preprocess --labels} fixes the class count whatever the sample drew). With
 * {@code WxH} (e.g. {@code 1024x768}) the images are photo-sized and photo-like instead
 * ({@link PreprocessVsPillow#photo}: smooth shapes, texture, sensor noise) with 1 to 3 learnable labels
 * drawn at random: for preprocessing cost, not for learning.
 */
public final class ScaleDataset {
  /** Prefix of the tail labels' names: {@code tail_00000}, ... */
  public static final String TAIL_PREFIX = "tail_";

  private ScaleDataset() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: ScaleDataset DIR IMAGES [CLASSES=11000] [SIZE=64|WxH] [SEED=2026]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    int images = Integer.parseInt(args[1]);
    int classes = args.length > 2 ? Integer.parseInt(args[2]) : 11_000;
    String size = args.length > 3 ? args[3] : "64";
    long seed = args.length > 4 ? Long.parseLong(args[4]) : 2026;
    long t = System.nanoTime();
    Path manifest = size.contains("x")
        ? photos(dir, images, Integer.parseInt(size.split("x")[0]), Integer.parseInt(size.split("x")[1]), seed)
        : SyntheticShapes.generate(dir, images, Integer.parseInt(size), seed);
    double perImage = addTailLabels(dir, manifest, classes, seed);
    System.out.printf("%d images of %s px, %d classes (%.2f labels per image) in %s, %.1f s%n", images, size, classes,
        perImage, dir, (System.nanoTime() - t) / 1e9);
  }

  /** Writes the demo's shapes with the tail labels; returns the mean number of labels per image. */
  public static double write(Path dir, int images, int classes, int size, long seed) throws IOException {
    return addTailLabels(dir, SyntheticShapes.generate(dir, images, size, seed), classes, seed);
  }

  /** Photo-like JPEGs of {@code w × h} and a manifest with 1 to 3 random learnable labels each. */
  static Path photos(Path dir, int images, int w, int h, long seed) throws IOException {
    Files.createDirectories(dir.resolve("images"));
    List<String> learnable = SyntheticShapes.labels();
    Random rnd = new Random(seed);
    StringBuilder manifest = new StringBuilder("path,labels\n");
    for (int i = 0; i < images; i++) {
      String name = String.format("images/%06d.jpg", i);
      Files.write(dir.resolve(name), PreprocessVsPillow.photo(rnd, w, h));
      TreeSet<String> labels = new TreeSet<>();
      for (int k = 1 + rnd.nextInt(3); labels.size() < k; ) {
        labels.add(learnable.get(rnd.nextInt(learnable.size())));
      }
      manifest.append(name).append(',').append(String.join("|", labels)).append('\n');
    }
    Path m = dir.resolve(SyntheticShapes.MANIFEST);
    Files.writeString(m, manifest, StandardCharsets.UTF_8);
    return m;
  }

  /**
   * Appends 3 to 10 Zipf-drawn tail labels to each line of {@code manifest} and writes
   * {@code labels.txt}; returns the mean number of labels per image.
   */
  static double addTailLabels(Path dir, Path manifest, int classes, long seed) throws IOException {
    List<String> learnable = SyntheticShapes.labels();
    int tail = classes - learnable.size();
    if (tail < 10) {
      throw new IllegalArgumentException("classes must be >= " + (learnable.size() + 10) + ", was " + classes);
    }
    double[] cumulative = zipfCumulative(tail);
    Random rnd = new Random(seed ^ 0x5CA1EL);
    List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(lines.get(0)).append('\n');
    long labels = 0;
    for (String line : lines.subList(1, lines.size())) {
      TreeSet<Integer> drawn = new TreeSet<>();
      int want = 3 + rnd.nextInt(8);
      while (drawn.size() < want) {
        drawn.add(sample(cumulative, rnd.nextDouble()));
      }
      StringBuilder l = new StringBuilder(line);
      for (int c : drawn) {
        l.append('|').append(tailName(c));
      }
      labels += line.substring(line.indexOf(',') + 1).split("\\|").length + drawn.size();
      out.append(l).append('\n');
    }
    Files.writeString(manifest, out, StandardCharsets.UTF_8);
    List<String> vocabulary = new ArrayList<>(learnable);
    for (int c = 0; c < tail; c++) {
      vocabulary.add(tailName(c));
    }
    Files.write(dir.resolve("labels.txt"), vocabulary, StandardCharsets.UTF_8);
    return (double) labels / (lines.size() - 1);
  }

  static String tailName(int c) {
    return TAIL_PREFIX + String.format("%05d", c);
  }

  /** Cumulative probabilities of ranks 1..n under Zipf with exponent 1. */
  static double[] zipfCumulative(int n) {
    double[] c = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += 1.0 / (k + 1);
      c[k] = sum;
    }
    for (int k = 0; k < n; k++) {
      c[k] /= sum;
    }
    return c;
  }

  static int sample(double[] cumulative, double u) {
    int i = java.util.Arrays.binarySearch(cumulative, u);
    return Math.min(cumulative.length - 1, i >= 0 ? i : -i - 1);
  }
}
