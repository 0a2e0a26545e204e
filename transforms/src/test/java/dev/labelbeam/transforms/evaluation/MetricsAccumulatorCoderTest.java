package dev.labelbeam.transforms.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.metrics.MetricsAccumulator;
import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.shard.LabelBits;
import java.util.Random;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/** The compact accumulator coder round-trips every state and is smaller than Java serialization. */
class MetricsAccumulatorCoderTest {

  private static MetricsAccumulator filled(MetricsOptions o, int classes, int examples) {
    MetricsAccumulator acc = o.newAccumulator(classes);
    Random rnd = new Random(classes * 31L + examples);
    for (int i = 0; i < examples; i++) {
      boolean[] truth = new boolean[classes];
      float[] scores = new float[classes];
      for (int c = 0; c < classes; c++) {
        truth[c] = rnd.nextInt(9) == 0;
        scores[c] = rnd.nextFloat();
      }
      acc.add(new ScoredExample("x" + i, LabelBits.packDense(truth), scores));
    }
    return acc;
  }

  private static int roundTrip(MetricsAccumulator acc) throws Exception {
    byte[] bytes = CoderUtils.encodeToByteArray(MetricsAccumulatorCoder.of(), acc);
    MetricsAccumulator back = CoderUtils.decodeFromByteArray(MetricsAccumulatorCoder.of(), bytes);
    assertEquals(acc, back);
    // and the decoded one keeps working: same report after more data
    assertEquals(MetricsOptions.defaults().report(acc).toJson(), MetricsOptions.defaults().report(back).toJson());
    return bytes.length;
  }

  @Test
  void sparseDenseAndExactAccumulatorsRoundTrip() throws Exception {
    MetricsOptions binned = MetricsOptions.defaults();
    int sparse = roundTrip(filled(binned, 300, 20)); // pending observations, no histograms yet
    MetricsAccumulator dense = filled(binned, 300, 2000);
    dense.densify();
    int denseBytes = roundTrip(dense);
    roundTrip(filled(MetricsOptions.defaults().withMode(MetricsOptions.Mode.EXACT), 40, 50));
    roundTrip(MetricsAccumulator.binnedBlock(100, 0.5, binned.logitBins(), 200, 300));

    int javaDense = CoderUtils.encodeToByteArray(SerializableCoder.of(MetricsAccumulator.class), dense).length;
    assertTrue(denseBytes < javaDense, denseBytes + " bytes against Java serialization's " + javaDense);
    assertTrue(sparse < denseBytes / 10, "a few examples stay small: " + sparse + " bytes");
    System.out.printf("accumulator of 300 classes x 1024 bins: %d bytes dense (Java serialization %d), %d bytes "
        + "after 20 examples%n", denseBytes, javaDense, sparse);
  }

  @org.junit.jupiter.api.Test
  void reportsStatsAndDigestsHaveCodersOfTheirOwnNotJavaSerialization() throws Exception {
    MetricsOptions o = MetricsOptions.defaults();
    dev.labelbeam.metrics.MultiLabelReport report = o.report(filled(o, 7, 300)).withExampleSet("00000000000000ff");
    dev.labelbeam.metrics.MultiLabelReport back = CoderUtils.decodeFromByteArray(
        dev.labelbeam.transforms.coders.JsonCoders.report(),
        CoderUtils.encodeToByteArray(dev.labelbeam.transforms.coders.JsonCoders.report(), report));
    assertEquals(report.toJson(), back.toJson());
    dev.labelbeam.transforms.shards.DatasetStats stats = new dev.labelbeam.transforms.shards.DatasetStats()
        .add("train", new byte[] {5, 1}).add("val", new byte[] {2});
    assertEquals(stats, CoderUtils.decodeFromByteArray(dev.labelbeam.transforms.shards.DatasetStats.coder(),
        CoderUtils.encodeToByteArray(dev.labelbeam.transforms.shards.DatasetStats.coder(), stats)));
    dev.labelbeam.shard.ShardDigest d = new dev.labelbeam.shard.ShardDigest(12, 3456, "ab12");
    assertEquals(d, CoderUtils.decodeFromByteArray(dev.labelbeam.transforms.coders.ShardDigestCoder.of(),
        CoderUtils.encodeToByteArray(dev.labelbeam.transforms.coders.ShardDigestCoder.of(), d)));
    // the registrar gives them to a pipeline author without setCoder
    org.apache.beam.sdk.Pipeline p = org.apache.beam.sdk.Pipeline.create();
    assertEquals(dev.labelbeam.transforms.coders.JsonCoders.report(),
        p.getCoderRegistry().getCoder(dev.labelbeam.metrics.MultiLabelReport.class));
  }
}
