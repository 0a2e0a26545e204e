package dev.labelbeam.transforms.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.labelbeam.metrics.MetricsAccumulator;
import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.shard.LabelBits;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;

/**
 * Binned metrics combined per block of classes give, byte for byte, the report of one accumulator
 * over all classes: per-class rows, micro (pooled over blocks), samples and cardinality (from whole
 * examples), with blocks of uneven size.
 */
class ClassBlockMetricsTest {

  @Test
  void blocksOfClassesGiveTheReportOfOneAccumulator() {
    int classes = 700; // blocks of 256, 256 and 188 classes
    Random rnd = new Random(17);
    List<ScoredExample> examples = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      boolean[] truth = new boolean[classes];
      float[] scores = new float[classes];
      for (int c = 0; c < classes; c++) {
        truth[c] = rnd.nextInt(c % 5 + 3) == 0;
        scores[c] = (float) Math.min(1, Math.max(0, (truth[c] ? 0.25 : 0) + rnd.nextGaussian() * 0.2 + 0.35));
      }
      examples.add(new ScoredExample("e" + i, LabelBits.packDense(truth), scores));
    }
    MetricsOptions options = MetricsOptions.defaults().withBins(256).withMinSupportForTuning(5);
    MetricsAccumulator acc = options.newAccumulator(classes);
    examples.forEach(acc::add);
    String expected = options.report(acc)
        .withExampleSet(dev.labelbeam.metrics.ExampleSet.ofIds(examples.stream().map(e -> e.id).toList())).toJson();

    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    PCollection<ScoredExample> in = p.apply(Create.of(examples));
    PAssert.thatSingleton(in.apply("Given", EvaluateMultiLabel.create().withNumClasses(classes).withOptions(options)))
        .satisfies(r -> {
          assertEquals(expected, r.toJson());
          return null;
        });
    PAssert.thatSingleton(in.apply("SizedByData", EvaluateMultiLabel.create().withOptions(options).withClassesPerBlock(64)))
        .satisfies(r -> {
          assertEquals(expected, r.toJson());
          return null;
        });
    p.run().waitUntilFinish();
  }
}
