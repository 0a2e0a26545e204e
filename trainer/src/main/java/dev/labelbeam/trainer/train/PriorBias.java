package dev.labelbeam.trainer.train;

/**
 * The classifier's starting biases from the train split's label frequencies (RetinaNet's prior
 * initialization, generalized to per-class positive weights): each class starts at the constant logit
 * that minimizes its loss over the train split, so that the first steps learn features instead of
 * pushing thousands of rare classes from 0.5 down to their frequency.
 *
 * <p>For {@code BCEWithLogits} with positive weight {@code w} and frequency {@code p}, the best
 * constant probability is {@code w p / (w p + 1 - p)}: its logit is {@code log(w p / (1 - p))} (0 when
 * {@code w = (1 - p) / p}, the {@code dataset} weight). For the softmax loss the logits' offsets are
 * {@code log p}. Frequencies are smoothed ({@code (positives + 0.5) / (records + 1)}) so that a class
 * without positives or without negatives gets a finite bias.
 */
public final class PriorBias {
  private PriorBias() {}

  /**
   * @param positives per-class positive counts of the train split
   * @param records records of the train split
   * @param posWeights per-class positive weights, or null for none (all 1)
   * @param softmax biases for the softmax loss ({@code log p}) instead of a sigmoid loss
   */
  public static float[] of(long[] positives, long records, float[] posWeights, boolean softmax) {
    if (posWeights != null && posWeights.length != positives.length) {
      throw new IllegalArgumentException(posWeights.length + " positive weights for " + positives.length + " classes");
    }
    float[] b = new float[positives.length];
    for (int c = 0; c < b.length; c++) {
      double p = (positives[c] + 0.5) / (records + 1.0);
      double w = posWeights == null ? 1 : posWeights[c];
      b[c] = (float) (softmax ? Math.log(p) : Math.log(w * p / (1 - p)));
    }
    return b;
  }
}
