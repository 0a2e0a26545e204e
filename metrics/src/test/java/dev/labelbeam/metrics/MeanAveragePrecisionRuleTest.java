package dev.labelbeam.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.labelbeam.shard.LabelBits;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * mAP and weighted AP leave out a class without negatives (its AP would be 1 whatever the scores)
 * and a class without positives, as macro-AUC does; {@code apClasses} says how many entered.
 * Checked against a brute-force average precision (scikit-learn's definition, ties grouped).
 */
class MeanAveragePrecisionRuleTest {

  /** AP = sum over distinct thresholds of (R_n - R_{n-1}) * P_n (the float64 reference, on float32 scores). */
  static double bruteForceAp(float[] s, boolean[] y) {
    double[] d = new double[s.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = s[i];
    }
    return Float64ScoresTest.bruteForceAp(d, y);
  }

  @Test
  void classesWithoutNegativesOrPositivesStayOutOfMap() {
    int n = 400;
    Random rnd = new Random(5);
    MetricsAccumulator acc = MetricsOptions.defaults().withMode(MetricsOptions.Mode.EXACT).newAccumulator(3);
    float[] s0 = new float[n];
    boolean[] y0 = new boolean[n];
    for (int i = 0; i < n; i++) {
      y0[i] = rnd.nextInt(3) == 0;
      s0[i] = Math.round((y0[i] ? 0.3f : 0f) + rnd.nextFloat() * 0.7f * 20) / 20f; // ties
      // class 1: every example positive; class 2: none
      acc.add(new ScoredExample("e" + i, LabelBits.packDense(new boolean[] {y0[i], true, false}),
          new float[] {s0[i], rnd.nextFloat(), rnd.nextFloat()}));
    }
    MultiLabelReport r = MetricsOptions.defaults().withMode(MetricsOptions.Mode.EXACT).report(acc);
    double ap0 = bruteForceAp(s0, y0);
    assertEquals(ap0, r.perClass().get(0).ap(), 1e-12);
    assertNull(r.perClass().get(1).ap());
    assertEquals("no negatives", r.perClass().get(1).apUndefinedReason());
    assertNull(r.perClass().get(2).ap());
    assertEquals("no positives", r.perClass().get(2).apUndefinedReason());
    assertEquals(ap0, r.macro().ap(), 1e-12, "mAP of the one class with positives and negatives");
    assertEquals(ap0, r.weighted().ap(), 1e-12, "weighted AP: the all-positive class's weight N is not in it");
    assertEquals(1, r.macro().apClasses());
    assertEquals(1, r.macro().aucClasses());
  }
}
