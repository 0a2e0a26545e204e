package dev.labelbeam.benchmarks;

import dev.labelbeam.metrics.ScoredExample;
import java.util.SplittableRandom;

/**
 * Deterministic synthetic (labels, scores) rows for evaluation benchmarks: class {@code c} has
 * prevalence falling from 20% to 0.01% (a long tail, as in real label sets); positives score
 * uniformly in [0.3, 1), negatives in [0, 0.7), rounded to 1e-6 (so some scores tie).
 */
public final class SyntheticScores {
  private SyntheticScores() {}

  private static volatile double[] prevalence = new double[0];

  private static double[] prevalence(int numClasses) {
    double[] p = prevalence;
    if (p.length != numClasses) {
      p = new double[numClasses];
      for (int c = 0; c < numClasses; c++) {
        p[c] = 0.2 * Math.pow(0.0005, (double) c / numClasses);
      }
      prevalence = p;
    }
    return p;
  }

  public static ScoredExample row(long index, int numClasses) {
    SplittableRandom rnd = new SplittableRandom(index * 0x9E3779B97F4A7C15L + 17);
    double[] prev = prevalence(numClasses);
    byte[] bits = new byte[(numClasses + 7) / 8];
    float[] s = new float[numClasses];
    for (int c = 0; c < numClasses; c++) {
      double prevalence = prev[c];
      boolean pos = rnd.nextDouble() < prevalence;
      double u = rnd.nextDouble();
      double v = pos ? 0.3 + 0.7 * u : 0.7 * u;
      s[c] = (float) (Math.round(v * 1e6) / 1e6);
      if (pos) {
        bits[c >>> 3] |= (byte) (1 << (c & 7));
      }
    }
    return new ScoredExample(Long.toString(index), bits, s);
  }
}
