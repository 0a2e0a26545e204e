package dev.labelbeam.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.labelbeam.shard.LabelBits;
import dev.labelbeam.transforms.evaluation.BinaryMetrics;
import dev.labelbeam.transforms.evaluation.EvaluateMultiLabel;
import dev.labelbeam.transforms.evaluation.ExactMetrics;
import dev.labelbeam.transforms.evaluation.MultiLabelReport;
import dev.labelbeam.transforms.evaluation.ScoredExample;
import dev.labelbeam.transforms.evaluation.ScoredExampleCoder;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;

/** Metrics against values worked out by hand (ties included), and the Beam transform against them. */
class EvaluationTest {

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

  static void assertHandWorked(MultiLabelReport r) {
    MultiLabelReport.ClassMetrics c0 = r.perClass.get(0);
    // pairs (pos, neg): 0.9>0.8, 0.9>0.3, 0.8=0.8 (1/2), 0.8>0.3, 0.1<0.8, 0.1<0.3 -> 3.5 / 6
    assertEquals(3.5 / 6, c0.auc, 1e-12);
    assertEquals(2, c0.tp);
    assertEquals(1, c0.fp);
    assertEquals(1, c0.fn);
    assertEquals(1, c0.tn);
    assertEquals(2.0 / 3, c0.precision, 1e-12);
    assertEquals(2.0 / 3, c0.recall, 1e-12);
    assertEquals(2.0 / 3, c0.f1, 1e-12);
    assertEquals(3, c0.support);

    MultiLabelReport.ClassMetrics c1 = r.perClass.get(1);
    assertEquals(0.5, c1.auc, 1e-12);
    assertEquals(0.0, c1.f1);
    assertEquals(1, c1.fn);

    MultiLabelReport.ClassMetrics c2 = r.perClass.get(2);
    assertNull(c2.auc);
    assertEquals("no positives", c2.aucUndefinedReason);
    assertEquals(1, c2.fp);
    assertEquals(0.0, c2.precision);

    assertEquals(2.0 / 9, r.macro.f1, 1e-12);
    assertEquals((3.5 / 6 + 0.5) / 2, r.macro.auc, 1e-12);
    assertEquals(2, r.macro.aucClasses);
    assertEquals(0.5, r.micro.precision, 1e-12);
    assertEquals(0.5, r.micro.recall, 1e-12);
    assertEquals(0.5, r.micro.f1, 1e-12);
    // pooled: 4 positives vs 11 negatives: 11 + 10.5 + 2 + 6 = 29.5 of 44
    assertEquals(29.5 / 44, r.micro.auc, 1e-12);
    assertEquals(5, r.numExamples);
  }

  @Test
  void exactMetricsMatchHandWorkedValues() {
    MultiLabelReport r = ExactMetrics.compute(examples(), 3, 0.5);
    assertHandWorked(r);
    MultiLabelReport back = MultiLabelReport.fromJson(r.withLabels(List.of("a", "b", "c")).toJson());
    assertHandWorked(back);
    String csv = r.toCsv();
    assertEquals(4, csv.split("\n").length);
    assertEquals("2,c,0,0,1,0,4,0.000000,0.000000,0.000000,", csv.split("\n")[3]);
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
    PCollection<MultiLabelReport> out =
        p.apply(Create.of(examples()).withCoder(ScoredExampleCoder.of()))
            .apply(EvaluateMultiLabel.exact(3).withThreshold(0.5));
    PAssert.thatSingleton(out).satisfies(r -> {
      assertHandWorked(r);
      return null;
    });
    p.run().waitUntilFinish();
  }
}
