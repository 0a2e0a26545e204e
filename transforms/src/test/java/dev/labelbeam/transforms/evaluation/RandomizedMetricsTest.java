package dev.labelbeam.transforms.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.metrics.*;
import dev.labelbeam.shard.LabelBits;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Both modes against brute-force references on random data: exact within 1e-9, binned AUC within
 * 1e-3 (and within its own error bound), F1 at the threshold exact; degenerate classes; merging in
 * any order.
 */
class RandomizedMetricsTest {
  static final int N = 2000;
  static final int C = 24;

  /** Random labels with prevalence per class, scores = sigmoid(signal + noise) rounded to 3 digits (ties). */
  static List<ScoredExample> data(long seed) {
    Random rnd = new Random(seed);
    List<ScoredExample> out = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      boolean[] dense = new boolean[C];
      float[] s = new float[C];
      for (int c = 0; c < C; c++) {
        double prevalence = c == C - 2 ? 0 : c == C - 1 ? 1 : 0.02 + 0.4 * c / C;
        dense[c] = rnd.nextDouble() < prevalence;
        double z = (dense[c] ? 1.2 : -1.0) + rnd.nextGaussian() * (0.5 + c % 3);
        s[c] = c % 4 == 0 ? Math.round(1000 / (1 + Math.exp(-z))) / 1000f : (float) (1 / (1 + Math.exp(-z)));
      }
      out.add(new ScoredExample(String.format("x%05d", i), LabelBits.packDense(dense), s));
    }
    return out;
  }

  /** AUC by counting every (positive, negative) pair; ties count one half. */
  static double bruteAuc(float[] s, boolean[] l) {
    double wins = 0;
    long pairs = 0;
    for (int i = 0; i < s.length; i++) {
      if (!l[i]) {
        continue;
      }
      for (int j = 0; j < s.length; j++) {
        if (l[j]) {
          continue;
        }
        pairs++;
        wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
      }
    }
    return pairs == 0 ? Double.NaN : wins / pairs;
  }

  /** AP by scanning every distinct threshold, high to low. */
  static double bruteAp(float[] s, boolean[] l) {
    float[] distinct = s.clone();
    java.util.Arrays.sort(distinct);
    long pos = 0;
    for (boolean b : l) {
      pos += b ? 1 : 0;
    }
    double ap = 0;
    double prevR = 0;
    for (int k = distinct.length - 1; k >= 0; k--) {
      if (k < distinct.length - 1 && distinct[k] == distinct[k + 1]) {
        continue;
      }
      long tp = 0;
      long pred = 0;
      for (int i = 0; i < s.length; i++) {
        if (s[i] >= distinct[k]) {
          pred++;
          tp += l[i] ? 1 : 0;
        }
      }
      double r = (double) tp / pos;
      ap += (r - prevR) * tp / pred;
      prevR = r;
    }
    return ap;
  }

  @Test
  void bothModesAgreeWithBruteForce() {
    List<ScoredExample> d = data(5);
    MetricsAccumulator ex = MetricsAccumulator.exact(C, 0.5);
    MetricsAccumulator bin = MetricsAccumulator.binned(C, 0.5, LogitBins.defaults());
    d.forEach(ex::add);
    d.forEach(bin::add);
    MultiLabelReport re = MetricsReports.report(ex);
    MultiLabelReport rb = MetricsReports.report(bin);
    for (int c = 0; c < C; c++) {
      float[] s = new float[N];
      boolean[] l = new boolean[N];
      long tp = 0;
      long fp = 0;
      for (int i = 0; i < N; i++) {
        s[i] = d.get(i).scores[c];
        l[i] = LabelBits.get(d.get(i).labelBits, c);
        tp += s[i] >= 0.5 && l[i] ? 1 : 0;
        fp += s[i] >= 0.5 && !l[i] ? 1 : 0;
      }
      MultiLabelReport.ClassMetrics e = re.perClass().get(c);
      MultiLabelReport.ClassMetrics b = rb.perClass().get(c);
      assertEquals(tp, e.tp());
      assertEquals(tp, b.tp());
      assertEquals(fp, e.fp());
      assertEquals(fp, b.fp());
      assertEquals(e.f1(), b.f1(), 0.0);
      double auc = bruteAuc(s, l);
      if (Double.isNaN(auc)) {
        assertNull(e.auc());
        assertNull(b.auc());
        continue;
      }
      assertEquals(auc, e.auc(), 1e-9, "exact AUC of class " + c);
      assertEquals(auc, b.auc(), 1e-3, "binned AUC of class " + c);
      assertTrue(Math.abs(auc - b.auc()) <= b.aucErrorBound() + 1e-12, "bound of class " + c);
      assertEquals(bruteAp(s, l), e.ap(), 1e-9, "exact AP of class " + c);
      assertEquals(e.ap(), b.ap(), 2e-2, "binned AP of class " + c);
      assertTrue(b.tunedF1() <= e.tunedF1() + 1e-12, "exact tuning is the optimum");
      assertTrue(b.tunedF1() >= e.tunedF1() - 0.02);
    }
    // the degenerate classes: no positives, and no negatives
    assertEquals("no positives", re.perClass().get(C - 2).aucUndefinedReason());
    assertEquals("no negatives", rb.perClass().get(C - 1).aucUndefinedReason());
    assertEquals(C - 2, re.macro().aucClasses());
    assertEquals(2, rb.cardinality().classesWithoutAuc());
    assertEquals(re.samples().f1(), rb.samples().f1(), 0.0);
    assertEquals(re.micro().f1(), rb.micro().f1(), 0.0);
    assertEquals(re.micro().auc(), rb.micro().auc(), 1e-3);
  }

  @Test
  void mergingInAnyOrderGivesTheSameReport() {
    List<ScoredExample> d = data(9);
    for (boolean exact : new boolean[] {true, false}) {
      List<MultiLabelReport> reports = new ArrayList<>();
      for (long order = 0; order < 3; order++) {
        List<ScoredExample> shuffled = new ArrayList<>(d);
        Collections.shuffle(shuffled, new Random(order));
        List<MetricsAccumulator> parts = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
          parts.add(exact ? MetricsAccumulator.exact(C, 0.5) : MetricsAccumulator.binned(C, 0.5, LogitBins.defaults()));
        }
        for (int i = 0; i < shuffled.size(); i++) {
          parts.get(i % 4).add(shuffled.get(i));
        }
        Collections.shuffle(parts, new Random(order + 100));
        EvaluateMultiLabel.MetricsFn fn = new EvaluateMultiLabel.MetricsFn(C, exact ? MetricsOptions.defaults().withMode(MetricsOptions.Mode.EXACT) : MetricsOptions.defaults());
        reports.add(fn.extractOutput(fn.mergeAccumulators(parts)));
      }
      assertEquals(reports.get(0).toJson(), reports.get(1).toJson());
      assertEquals(reports.get(0).toJson(), reports.get(2).toJson());
    }
  }

  @Test
  void binsAndEdgesAgree() {
    LogitBins bins = LogitBins.defaults();
    assertEquals(512, bins.bin(0.5f));
    assertEquals(511, bins.bin(Math.nextDown(0.5f)));
    assertEquals(0.5f, bins.edge(512));
    Random rnd = new Random(1);
    for (int i = 0; i < 100_000; i++) {
      float s = i % 2 == 0 ? rnd.nextFloat() : (float) Math.pow(10, -8 * rnd.nextDouble());
      int b = bins.bin(s);
      assertTrue(s >= bins.edge(b) && (b == 1023 || s < bins.edge(b + 1)), "score " + s + " bin " + b);
    }
    assertEquals(0, bins.bin(0f));
    assertEquals(0, bins.bin(Float.NaN));
    assertEquals(1023, bins.bin(1f));
  }
}
