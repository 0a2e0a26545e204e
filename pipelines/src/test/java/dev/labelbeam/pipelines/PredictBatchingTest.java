package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.trainer.DeviceChoice;
import dev.labelbeam.trainer.TorchRuntime;
import dev.labelbeam.trainer.model.Checkpoints;
import dev.labelbeam.trainer.model.ModelSpec;
import dev.labelbeam.transforms.shards.ImageRecordCoder;
import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict} on image files on DirectRunner: the file match gives one-element bundles, and
 * scoring still runs in full batches (once, it ran one forward pass per image: about 2× slower).
 */
class PredictBatchingTest {

  @Test
  void imagesFromAFileMatchAreScoredInFullBatches(@TempDir Path tmp) throws Exception {
    int images = 40;
    int batch = 16;
    Path manifest = SyntheticShapes.generate(tmp.resolve("data"), images, 32, 3);
    TorchRuntime.load();
    ModelSpec spec = ModelSpec.smallCnn(SyntheticShapes.labels(), 4, 32);
    Path model = tmp.resolve("model");
    Checkpoints.save(spec.build(), spec, model); // untrained: only the batching is under test

    Pipeline p = Pipeline.create(Runners.options("DirectRunner", List.of()));
    PCollection<ImageRecord> records = p.apply(FileIO.match().filepattern(manifest.getParent() + "/images/*.jpg"))
        .apply(FileIO.readMatches())
        .apply(ParDo.of(new PredictPipeline.ImageFileFn(spec.numClasses, spec.imageSize))
            .withOutputTags(PredictPipeline.ImageFileFn.RECORDS,
                org.apache.beam.sdk.values.TupleTagList.of(PredictPipeline.ImageFileFn.DEAD_LETTERS)))
        .get(PredictPipeline.ImageFileFn.RECORDS)
        .setCoder(ImageRecordCoder.of());
    PCollection<ScoredExample> scored = records
        .apply(Predict.withModel(model.toString()).withOptions(ScoringOptions.defaults().withBatchSize(batch)
            .withDevice(DeviceChoice.CPU).withBatchesRegrouped(true)))
        .get(Predict.SCORED);
    PAssert.thatSingleton(scored.apply(Count.globally())).isEqualTo((long) images);
    PipelineResult result = p.run();
    result.waitUntilFinish();
    long passes = 0;
    for (MetricResult<Long> c : result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(Predict.class, Predict.FORWARD_PASSES)).build()).getCounters()) {
      passes += c.getAttempted();
    }
    // full batches, plus at most one partial batch per grouping key
    assertTrue(passes >= 3 && passes <= images / batch + 4, "forward passes for " + images + " images: " + passes);
  }
}
