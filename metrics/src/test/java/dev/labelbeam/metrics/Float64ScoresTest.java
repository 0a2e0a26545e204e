package dev.labelbeam.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.shard.LabelBits;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Float64 scores (another model's predictions file) in exact mode: AUC, AP and the counts at a
 * threshold equal a float64 reference to 1e-12, where rounding to float32 first would tie scores apart
 * by less than float32's precision and move them across a threshold.
 */
class Float64ScoresTest {
  private static final int N = 600;
  private static final int C = 4;

  @Test
  void exactModeComparesFloat64ScoresAsGiven() throws Exception {
    Random rnd = new Random(64);
    double[][] s = new double[N][C];
    boolean[][] y = new boolean[N][C];
    for (int i = 0; i < N; i++) {
      for (int c = 0; c < C; c++) {
        y[i][c] = rnd.nextInt(3) == 0;
        // scores crowded within a few float32 ulps of 0.5, half of them tied exactly in pairs
        double v = 0.5 + (rnd.nextInt(40) - 20) * 1e-9 + (y[i][c] ? 3e-9 : 0);
        s[i][c] = i % 2 == 1 ? s[i - 1][c] : v;
      }
    }
    MetricsOptions exact = MetricsOptions.defaults().withMode(MetricsOptions.Mode.EXACT);
    MetricsAccumulator a = exact.newAccumulator(C);
    MetricsAccumulator b = exact.newAccumulator(C);
    MetricsAccumulator f32 = exact.newAccumulator(C);
    for (int i = 0; i < N; i++) {
      byte[] bits = LabelBits.packDense(y[i]);
      (i < N / 3 ? a : b).add(ScoredExample.ofDoubles("id" + i, bits, s[i]));
      f32.add(ScoredExample.ofDoubles("id" + i, bits, s[i]).withoutFloat64());
    }
    // through the accumulator's coder, as a runner moves it between workers
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    a.writeTo(new DataOutputStream(buf));
    MetricsAccumulator aBack = MetricsAccumulator.readFrom(new DataInputStream(new ByteArrayInputStream(buf.toByteArray())));
    MultiLabelReport r = exact.report(aBack.merge(b));
    MultiLabelReport rounded = exact.report(f32);
    assertEquals("float64", r.scorePrecision());
    assertEquals("float32", rounded.scorePrecision());
    assertTrue(r.toJson().contains("\"scorePrecision\" : \"float64\""));

    double worstRoundedGap = 0;
    for (int c = 0; c < C; c++) {
      double[] col = new double[N];
      boolean[] lab = new boolean[N];
      for (int i = 0; i < N; i++) {
        col[i] = s[i][c];
        lab[i] = y[i][c];
      }
      MultiLabelReport.ClassMetrics m = r.perClass().get(c);
      assertEquals(bruteForceAuc(col, lab), m.auc(), 1e-12, "AUC, class " + c);
      assertEquals(bruteForceAp(col, lab), m.ap(), 1e-12, "AP, class " + c);
      long tp = 0;
      long fp = 0;
      for (int i = 0; i < N; i++) {
        if (col[i] >= 0.5) {
          tp += lab[i] ? 1 : 0;
          fp += lab[i] ? 0 : 1;
        }
      }
      assertEquals(tp, m.tp(), "TP at 0.5, class " + c);
      assertEquals(fp, m.fp(), "FP at 0.5, class " + c);
      worstRoundedGap = Math.max(worstRoundedGap, Math.abs(rounded.perClass().get(c).auc() - m.auc()));
    }
    assertTrue(worstRoundedGap > 1e-3, "float32 rounding must matter on this data, else the test shows nothing: "
        + worstRoundedGap);
    double[] pooled = new double[N * C];
    boolean[] pooledLabels = new boolean[N * C];
    for (int i = 0; i < N; i++) {
      for (int c = 0; c < C; c++) {
        pooled[i * C + c] = s[i][c];
        pooledLabels[i * C + c] = y[i][c];
      }
    }
    assertEquals(bruteForceAuc(pooled, pooledLabels), r.micro().auc(), 1e-12, "micro AUC");
    assertNull(r.perClass().get(0).aucErrorBound(), "exact");
  }

  @Test
  void float32AndFloat64RankingsAgreeOnTheSameValues() {
    Random rnd = new Random(32);
    for (int trial = 0; trial < 50; trial++) {
      int n = 1 + rnd.nextInt(300);
      float[] f = new float[n];
      double[] d = new double[n];
      boolean[] y = new boolean[n];
      for (int i = 0; i < n; i++) {
        f[i] = trial % 3 == 0 ? rnd.nextInt(5) / 4f : (float) rnd.nextGaussian(); // many ties, or none
        f[i] = i == 0 && trial % 5 == 0 ? -0.0f : f[i];
        d[i] = f[i];
        y[i] = rnd.nextInt(trial % 4 + 2) == 0;
      }
      BinaryMetrics.Ranked a = BinaryMetrics.rank(f, y);
      BinaryMetrics.Ranked b = BinaryMetrics.rank(d, y);
      assertEquals(a.auc, b.auc, 1e-12, "trial " + trial);
      assertEquals(a.ap, b.ap, 1e-12, "trial " + trial);
      if (a.tuned.confusion.tp > 0) {
        assertEquals(a.tuned.threshold, b.tuned.threshold, 0.0, "trial " + trial);
      }
      assertEquals(a.tuned.confusion.tp, b.tuned.confusion.tp, "trial " + trial);
      assertEquals(a.tuned.confusion.fp, b.tuned.confusion.fp, "trial " + trial);
    }
  }

  /** Mann-Whitney over all (positive, negative) pairs, ties one half. */
  static double bruteForceAuc(double[] s, boolean[] y) {
    double wins = 0;
    double pairs = 0;
    for (int i = 0; i < s.length; i++) {
      for (int j = 0; j < s.length; j++) {
        if (y[i] && !y[j]) {
          pairs++;
          wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
        }
      }
    }
    return wins / pairs;
  }

  /** scikit-learn's AP: over distinct scores, decreasing, sum (R_n - R_{n-1}) * P_n. */
  static double bruteForceAp(double[] s, boolean[] y) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < s.length; i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingDouble((Integer i) -> -s[i]));
    long p = 0;
    for (boolean b : y) {
      p += b ? 1 : 0;
    }
    double ap = 0;
    double prevRecall = 0;
    long tp = 0;
    long seen = 0;
    for (int k = 0; k < order.size(); ) {
      double t = s[order.get(k)];
      while (k < order.size() && s[order.get(k)] == t) {
        tp += y[order.get(k)] ? 1 : 0;
        seen++;
        k++;
      }
      double recall = (double) tp / p;
      ap += (recall - prevRecall) * tp / seen;
      prevRecall = recall;
    }
    return ap;
  }
}
