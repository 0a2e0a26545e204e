package dev.labelbeam.pipelines;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.transforms.PreprocessImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;

/** Runs {@link PreprocessImages} as a pipeline and returns the {@code dataset.json} it wrote. */
public final class PreprocessPipeline {
  private PreprocessPipeline() {}

  /**
   * Runs the pipeline to completion.
   *
   * @throws IllegalStateException when the pipeline does not finish in state DONE
   */
  public static DatasetInfo run(PreprocessImages transform, Path outputDir, PipelineOptions options) throws IOException {
    Files.createDirectories(outputDir);
    Pipeline p = Pipeline.create(options);
    p.apply("Preprocess", transform.to(outputDir.toString()));
    PipelineResult.State state = p.run().waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("preprocess pipeline ended in state " + state);
    }
    return DatasetInfo.read(outputDir.resolve(DatasetInfo.FILE_NAME));
  }
}
