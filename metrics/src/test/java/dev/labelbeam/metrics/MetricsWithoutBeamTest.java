package dev.labelbeam.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.metrics.report.HtmlReport;
import dev.labelbeam.shard.LabelBits;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The metric math as a pipeline author without Beam or LibTorch uses it: accumulate scored
 * examples, merge, report, render. This module's class path has neither, which the first test checks.
 */
class MetricsWithoutBeamTest {
  @Test
  void theClassPathHasNeitherBeamNorLibTorch() {
    assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.beam.sdk.Pipeline"));
    assertThrows(ClassNotFoundException.class, () -> Class.forName("org.bytedeco.pytorch.Tensor"));
  }

  @Test
  void reportOfOwnScoresMatchesPairCountingAucAndRendersHtml() {
    int n = 400;
    int c = 3;
    Random rnd = new Random(7);
    MetricsOptions exact = MetricsOptions.defaults().withMode(MetricsOptions.Mode.EXACT);
    MetricsAccumulator a = exact.newAccumulator(c);
    MetricsAccumulator b = exact.newAccumulator(c);
    boolean[][] truth = new boolean[n][c];
    float[][] scores = new float[n][c];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < c; k++) {
        truth[i][k] = rnd.nextDouble() < 0.3;
        // informative scores, rounded to two digits so that ties occur
        scores[i][k] = Math.round(Math.min(1, Math.max(0, (truth[i][k] ? 0.6 : 0.4) + rnd.nextGaussian() * 0.2)) * 100) / 100f;
      }
      (i % 2 == 0 ? a : b).add(new ScoredExample("id" + i, LabelBits.packDense(truth[i]), scores[i]));
    }
    MultiLabelReport r = exact.report(a.merge(b));
    assertEquals(n, r.numExamples());
    for (int k = 0; k < c; k++) {
      double pairs = 0;
      double wins = 0;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          if (truth[i][k] && !truth[j][k]) {
            pairs++;
            wins += scores[i][k] > scores[j][k] ? 1 : scores[i][k] == scores[j][k] ? 0.5 : 0;
          }
        }
      }
      assertEquals(wins / pairs, r.perClass().get(k).auc(), 1e-12, "class " + k);
    }
    MultiLabelReport named = r.withLabels(List.of("red", "green", "blue"));
    assertNotSame(r, named);
    assertNull(r.perClass().get(0).label(), "withLabels must not change the report it is called on");
    assertEquals("green", named.perClass().get(1).label());
    assertThrows(UnsupportedOperationException.class, () -> r.perClass().clear(), "the report is immutable");
    assertEquals(named, MultiLabelReport.fromJson(named.toJson()), "metrics.json reads back to an equal report");
    assertTrue(named.toJson().contains("\"scorePrecision\" : \"float32\""), "metrics.json says how scores compare");
    MultiLabelReport withBaseline = named.withBaseline("prior", r);
    assertNull(named.baseline());
    assertEquals(r.macro(), withBaseline.baseline().macro());
    String html = HtmlReport.render(named, "own scores");
    assertTrue(html.contains("own scores") && html.contains("green") && html.contains("data:image/png;base64,"));
  }

  @Test
  void optionsNameTheOptionTheValueAndWhatIsAllowed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricsOptions.defaults().withBins(7));
    assertEquals("bins must be even and in [2, 1048576], was 7", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> MetricsOptions.defaults().withThreshold(1.5));
    assertEquals("threshold must be in [0, 1], was 1.5", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> MetricsOptions.defaults().withMode(MetricsOptions.Mode.EXACT).withBins(64));
    MultiLabelReport empty = MetricsOptions.defaults().withThreshold(0.3).emptyReport();
    assertEquals("binned", empty.mode());
    assertEquals(0.3, empty.threshold());
  }
}
