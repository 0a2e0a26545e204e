package dev.labelbeam.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.labelbeam.metrics.MetricsAccumulator;
import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.shard.LabelBits;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Validation on every rank: two ranks' accumulators, summed through the collectives
 * ({@code countsVector}, {@code histogramsVector}, {@code fromSums}), give the report of one
 * accumulator over all the examples, byte for byte.
 */
class DistributedValidationTest {

  private static ScoredExample example(Random rnd, int i, int classes) {
    boolean[] truth = new boolean[classes];
    float[] scores = new float[classes];
    for (int c = 0; c < classes; c++) {
      truth[c] = rnd.nextInt(4) == 0;
      scores[c] = (float) Math.min(1, Math.max(0, (truth[c] ? 0.3 : 0) + rnd.nextDouble() * 0.7));
    }
    return new ScoredExample("v" + i, LabelBits.packDense(truth), scores);
  }

  @Test
  void ranksSummedThroughTheCollectivesGiveTheSingleProcessReport() throws Exception {
    int classes = 30;
    MetricsOptions options = MetricsOptions.defaults();
    MetricsAccumulator all = options.newAccumulator(classes);
    MetricsAccumulator[] share = {options.newAccumulator(classes), options.newAccumulator(classes)};
    Random rnd = new Random(9);
    for (int i = 0; i < 301; i++) { // an odd count: the shares differ in size
      ScoredExample e = example(rnd, i, classes);
      all.add(e);
      share[i % 2].add(e);
    }
    String expected = options.report(all).toJson();
    String[] got = new String[2];
    TwoRanks.run((rank, c) -> {
      MetricsAccumulator merged = MetricsAccumulator.fromSums(classes, options.threshold(), options.logitBins(),
          c.sum(share[rank].countsVector()), c.sum(share[rank].histogramsVector()));
      got[rank] = options.report(merged).toJson();
    });
    assertEquals(expected, got[0]);
    assertEquals(expected, got[1]);
  }
}
