package dev.labelbeam.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Micro-averaged metrics pool every class's histogram: at 11,000 classes × 200,000 examples the
 * pooled negatives (N × (C − 1)) pass 2^31. The state of such an evaluation is built directly (3,000
 * classes, 800,000 negatives each in one bin: 2.4 × 10^9 in one pooled bin), so the test runs in
 * well under a second instead of scoring 2 × 10^9 pairs.
 */
class PooledCountsTest {

  @Test
  void microMetricsCountPastTwoToThe31() {
    int classes = 3000;
    LogitBins bins = new LogitBins(2, 10.0);
    MetricsAccumulator acc = MetricsAccumulator.binned(classes, 0.5, bins);
    acc.densify();
    long negativesPerClass = 800_000;
    long positivesPerClass = 100;
    for (int c = 0; c < classes; c++) {
      acc.negHist[c * 2] = (int) negativesPerClass; // low bin: below the threshold
      acc.posHist[c * 2 + 1] = (int) positivesPerClass; // high bin
      acc.tn[c] = negativesPerClass;
      acc.tp[c] = positivesPerClass;
    }
    acc.stats.examples = negativesPerClass + positivesPerClass;
    assertTrue(classes * negativesPerClass > Integer.MAX_VALUE);

    MultiLabelReport r = MetricsReports.report(acc);
    assertEquals(1.0, r.micro().auc(), 1e-12, "every positive above every negative");
    assertEquals(1.0, r.micro().ap(), 1e-12);
    for (MultiLabelReport.CurvePoint pt : r.microPrCurve()) {
      assertTrue(pt.precision() >= 0 && pt.precision() <= 1, "precision " + pt.precision());
      assertTrue(pt.recall() >= 0 && pt.recall() <= 1, "recall " + pt.recall());
    }
    MultiLabelReport.CurvePoint last = r.microPrCurve().get(r.microPrCurve().size() - 1);
    assertEquals(1.0, last.recall(), 1e-12);
    assertEquals((double) positivesPerClass / (positivesPerClass + negativesPerClass), last.precision(), 1e-12);
    assertEquals(1.0, r.macro().auc(), 1e-12);
  }
}
