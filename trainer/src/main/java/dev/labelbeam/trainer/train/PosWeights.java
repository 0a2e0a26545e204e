package dev.labelbeam.trainer.train;

/**
 * Per-class positive weights for {@code BCEWithLogits}: {@code negatives / positives} of the train
 * split, clipped to {@code [1/max, max]}, so that rare classes weigh as much as common ones in the
 * loss. A class without positives (or without negatives) gets 1: its weight cannot help it.
 */
public final class PosWeights {
  private PosWeights() {}

  /**
   * @param positives per-class positive counts of the train split
   * @param records records of the train split
   * @param max upper clip, at least 1
   */
  public static float[] fromCounts(long[] positives, long records, double max) {
    return fromCounts(positives, records, max, false);
  }

  /**
   * As {@link #fromCounts(long[], long, double)}, with the square root of each ratio (before the clip)
   * when {@code sqrt}: {@code sqrt(negatives / positives)}.
   */
  public static float[] fromCounts(long[] positives, long records, double max, boolean sqrt) {
    if (max < 1) {
      throw new IllegalArgumentException("max pos_weight must be >= 1, was " + max);
    }
    float[] w = new float[positives.length];
    for (int c = 0; c < w.length; c++) {
      long p = positives[c];
      long n = records - p;
      if (p <= 0 || n <= 0) {
        w[c] = 1f;
      } else {
        double ratio = sqrt ? Math.sqrt((double) n / p) : (double) n / p;
        w[c] = (float) Math.max(1 / max, Math.min(max, ratio));
      }
    }
    return w;
  }

  /**
   * Reads per-class weights from a text file: one positive number a line, in class order (as
   * {@code labels.txt}); a leading label column ({@code cat 2.5}) is allowed and ignored.
   */
  public static float[] fromFile(java.nio.file.Path file, int numClasses) throws java.io.IOException {
    java.util.List<String> lines = java.nio.file.Files.readAllLines(file);
    lines.removeIf(String::isBlank);
    if (lines.size() != numClasses) {
      throw new IllegalArgumentException(file + " has " + lines.size() + " weights, the model has " + numClasses + " classes");
    }
    float[] w = new float[numClasses];
    for (int c = 0; c < numClasses; c++) {
      String[] parts = lines.get(c).trim().split("\\s+");
      w[c] = Float.parseFloat(parts[parts.length - 1]);
      if (!(w[c] > 0) || Float.isInfinite(w[c])) {
        throw new IllegalArgumentException(file + " line " + (c + 1) + ": weight must be a positive number, was " + parts[parts.length - 1]);
      }
    }
    return w;
  }
}
