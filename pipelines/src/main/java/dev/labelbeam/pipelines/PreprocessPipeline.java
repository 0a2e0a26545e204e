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
   * Runs the pipeline to completion (without the {@code Reshuffle} before decoding on DirectRunner,
   * {@link Runners#inOneProcess}). A run that fails (a full disk, a killed worker) leaves the
   * dataset already in {@code outputDir} as it was, and its own staged files are removed, so that a
   * full disk is not kept full by them.
   *
   * @throws IllegalStateException when the pipeline does not finish in state DONE
   */
  public static DatasetInfo run(PreprocessImages transform, Path outputDir, PipelineOptions options) throws IOException {
    dev.labelbeam.shard.Folders.create(outputDir);
    java.util.Set<Path> stagedBefore = stagingFolders(outputDir);
    Pipeline p = Pipeline.create(options);
    PreprocessImages t = Runners.inOneProcess(options) ? transform.withoutReshuffle() : transform;
    p.apply("Preprocess", t.to(outputDir.toString()));
    PipelineResult.State state;
    try {
      state = p.run().waitUntilFinish();
    } catch (RuntimeException e) {
      removeStagedSince(outputDir, stagedBefore);
      throw e;
    }
    if (state != PipelineResult.State.DONE) {
      removeStagedSince(outputDir, stagedBefore);
      throw new IllegalStateException("preprocess pipeline ended in state " + state);
    }
    return DatasetInfo.read(outputDir.resolve(DatasetInfo.FILE_NAME));
  }

  /** The {@code .staging-*} folders of the output folder. */
  private static java.util.Set<Path> stagingFolders(Path outputDir) throws IOException {
    try (java.util.stream.Stream<Path> s = Files.list(outputDir)) {
      return s.filter(f -> f.getFileName().toString().startsWith(".staging-")).collect(java.util.stream.Collectors.toSet());
    }
  }

  /** Deletes the staging folders this run made; best effort (the failure is what the user must see). */
  private static void removeStagedSince(Path outputDir, java.util.Set<Path> before) {
    try {
      for (Path staged : stagingFolders(outputDir)) {
        if (!before.contains(staged)) {
          try (java.util.stream.Stream<Path> w = Files.walk(staged)) {
            w.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
          }
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // the staging folder stays; the next run writes its own
    }
  }
}
