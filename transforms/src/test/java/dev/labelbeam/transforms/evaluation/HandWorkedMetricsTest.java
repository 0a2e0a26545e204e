package dev.labelbeam.transforms.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.labelbeam.metrics.*;
import dev.labelbeam.shard.LabelBits;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;

/** Metrics against values worked out by hand (ties included), and the Beam transform against them. */
class HandWorkedMetricsTest {

  // 5 examples x 3 classes. Class 0 has a tie between a positive and a negative (0.8);
  // class 1 ties everything; class 2 has no positives.
  static final float[][] SCORES = {
    {0.9f, 0.2f, 0.6f},
    {0.8f, 0.2f, 0.1f},
    {0.8f, 0.2f, 0.1f},
    {0.3f, 0.2f, 0.1f},
    {0.1f, 0.2f, 0.1f},
  };
  static final int[][] LABELS = {{0, 1}, {0}, {}, {}, {0}};

  static List<ScoredExample> examples() {
    List<ScoredExample> out = new ArrayList<>();
    for (int i = 0; i < SCORES.length; i++) {
      out.add(new ScoredExample("e" + i, LabelBits.pack(LABELS[i], 3), SCORES[i]));
    }
    return out;
  }

  static MultiLabelReport exactReport() {
    MetricsAccumulator acc = MetricsAccumulator.exact(3, 0.5);
    examples().forEach(acc::add);
    return MetricsReports.report(acc, 1);
  }

  static void assertHandWorked(MultiLabelReport r) {
    MultiLabelReport.ClassMetrics c0 = r.perClass().get(0);
    // pairs (pos, neg): 0.9>0.8, 0.9>0.3, 0.8=0.8 (1/2), 0.8>0.3, 0.1<0.8, 0.1<0.3 -> 3.5 / 6
    assertEquals(3.5 / 6, c0.auc(), 1e-12);
    // thresholds 0.9: R 1/3 P 1; 0.8: R 2/3 P 2/3; 0.3: R 2/3; 0.1: R 1 P 3/5
    assertEquals(1.0 / 3 + 2.0 / 9 + 1.0 / 5, c0.ap(), 1e-12);
    assertEquals(2, c0.tp());
    assertEquals(1, c0.fp());
    assertEquals(1, c0.fn());
    assertEquals(1, c0.tn());
    assertEquals(2.0 / 3, c0.precision(), 1e-12);
    assertEquals(2.0 / 3, c0.recall(), 1e-12);
    assertEquals(2.0 / 3, c0.f1(), 1e-12);
    assertEquals(3, c0.support());
    // F1 by threshold: 0.9 -> 1/2, 0.8 -> 2/3, 0.3 -> 4/7, 0.1 -> 3/4 (best)
    assertEquals(0.1f, c0.tunedThreshold(), "exact".equals(r.mode()) ? 1e-7 : 3e-3);
    assertEquals(0.75, c0.tunedF1(), 1e-12);

    MultiLabelReport.ClassMetrics c1 = r.perClass().get(1);
    assertEquals(0.5, c1.auc(), 1e-12);
    assertEquals(0.2, c1.ap(), 1e-12);
    assertEquals(0.0, c1.f1());
    assertEquals(1, c1.fn());

    MultiLabelReport.ClassMetrics c2 = r.perClass().get(2);
    assertNull(c2.auc());
    assertNull(c2.ap());
    assertEquals("no positives", c2.aucUndefinedReason());
    assertEquals(1, c2.fp());
    assertEquals(0.0, c2.precision());

    assertEquals(2.0 / 9, r.macro().f1(), 1e-12);
    assertEquals((3.5 / 6 + 0.5) / 2, r.macro().auc(), 1e-12);
    assertEquals((34.0 / 45 + 0.2) / 2, r.macro().ap(), 1e-12);
    assertEquals(2, r.macro().aucClasses());
    // weighted by support 3, 1, 0
    assertEquals((3 * 2.0 / 3 + 0) / 4, r.weighted().f1(), 1e-12);
    assertEquals(0.5, r.micro().precision(), 1e-12);
    assertEquals(0.5, r.micro().recall(), 1e-12);
    assertEquals(0.5, r.micro().f1(), 1e-12);
    // samples F1: e0 pred {0,2} true {0,1} -> 1/2; e1 -> 1; e2, e3, e4 -> 0
    assertEquals(0.3, r.samples().f1(), 1e-9);
    assertEquals(4.0 / 5, r.cardinality().meanTrueLabels(), 1e-12);
    assertEquals(4.0 / 5, r.cardinality().meanPredictedLabels(), 1e-12);
    assertEquals(2, r.cardinality().examplesWithoutLabels());
    assertEquals(1, r.cardinality().classesWithoutAuc());
    assertEquals(5, r.numExamples());
  }

  @Test
  void exactMetricsMatchHandWorkedValues() {
    MultiLabelReport r = exactReport();
    // pooled: 4 positives vs 11 negatives: 11 + 10.5 + 2 + 6 = 29.5 of 44
    assertEquals(29.5 / 44, r.micro().auc(), 1e-12);
    assertHandWorked(r);
    MultiLabelReport named = r.withLabels(List.of("a", "b", "c"));
    MultiLabelReport back = MultiLabelReport.fromJson(named.toJson());
    assertHandWorked(back);
    String[] csv = named.toCsv().split("\n");
    assertEquals(4, csv.length);
    // class c: one false positive among five examples: 1 predicted positive, accuracy 4/5
    assertEquals("2,c,0,0,1,0,4,1,0.800000,0.000000,0.000000,0.000000,,,", csv[3].substring(0, csv[3].indexOf(",,,") + 3));
    Thresholds t = Thresholds.fromJson(named.thresholds().toJson());
    assertEquals(List.of("a", "b", "c"), t.labels);
    assertEquals(0.1f, t.thresholds.get(0), 1e-7);
  }

  @Test
  void binnedMetricsMatchToo() {
    // with every score distinct up to the ties, the binned AUC and AP equal the exact ones here
    MetricsAccumulator acc = MetricsAccumulator.binned(3, 0.5, LogitBins.defaults());
    examples().forEach(acc::add);
    MultiLabelReport r = MetricsReports.report(acc, 1);
    assertHandWorked(r);
    // class 0: 3 positives x 2 negatives, one positive-negative pair shares a bin (the tie at 0.8):
    // bound = sum_b pos_b neg_b / (2 P N) = 1 / (2 * 3 * 2)
    assertEquals(1.0 / 12, r.perClass().get(0).aucErrorBound(), 1e-12);
  }

  @Test
  void aucEdgeCases() {
    assertEquals(1.0, BinaryMetrics.rocAuc(new float[] {0.1f, 0.9f}, new boolean[] {false, true}));
    assertEquals(0.0, BinaryMetrics.rocAuc(new float[] {0.1f, 0.9f}, new boolean[] {true, false}));
    assertEquals(Double.NaN, BinaryMetrics.rocAuc(new float[] {0.1f, 0.9f}, new boolean[] {true, true}));
  }

  @Test
  void beamTransformGivesTheSameReport() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    PCollection<ScoredExample> in = p.apply(Create.of(examples()).withCoder(ScoredExampleCoder.of()));
    PCollection<MultiLabelReport> exact = in.apply("exact", EvaluateMultiLabel.create().withNumClasses(3)
        .withOptions(MetricsOptions.defaults().withMode(MetricsOptions.Mode.EXACT).withMinSupportForTuning(1)));
    PCollection<MultiLabelReport> binned = in.apply("binned", EvaluateMultiLabel.create().withNumClasses(3)
        .withOptions(MetricsOptions.defaults().withMinSupportForTuning(1)));
    PAssert.thatSingleton(exact).satisfies(r -> {
      assertHandWorked(r);
      return null;
    });
    PAssert.thatSingleton(binned).satisfies(r -> {
      assertHandWorked(r);
      return null;
    });
    p.run().waitUntilFinish();
  }
}
