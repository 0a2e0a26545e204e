package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.metrics.MetricsAccumulator;
import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.shard.LabelBits;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The printed table stays short at 11,000 classes and keeps every class at the demo's 12. */
class SummaryTableTest {

  private static MultiLabelReport report(int classes, int examples) {
    MetricsAccumulator acc = MetricsOptions.defaults().newAccumulator(classes);
    Random rnd = new Random(1);
    for (int i = 0; i < examples; i++) {
      boolean[] truth = new boolean[classes];
      float[] scores = new float[classes];
      for (int c = 0; c < classes; c++) {
        truth[c] = rnd.nextInt(20) == 0;
        scores[c] = truth[c] ? 0.3f + 0.7f * rnd.nextFloat() * (c % 7 + 1) / 7 : rnd.nextFloat() * 0.6f;
      }
      acc.add(new ScoredExample("e" + i, LabelBits.packDense(truth), scores));
    }
    List<String> names = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      names.add("label_" + c);
    }
    return MetricsOptions.defaults().report(acc).withLabels(names);
  }

  @Test
  void elevenThousandClassesPrintTheBestAndWorstNotEveryClass() {
    String table = SummaryTable.format(report(11_000, 60));
    long lines = table.lines().count();
    assertTrue(lines < 40, lines + " lines:\n" + table);
    assertTrue(table.contains("11000 classes: the 10 best and 10 worst by F1"), table);
    assertTrue(table.contains("macro") && table.contains("micro") && table.contains("samples"), table);
  }

  @Test
  void fewClassesPrintEveryClass() {
    String table = SummaryTable.format(report(12, 200));
    for (int c = 0; c < 12; c++) {
      assertTrue(table.contains("label_" + c + " "), table);
    }
    assertEquals(-1, table.indexOf("best and"));
  }
}
