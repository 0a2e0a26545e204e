package dev.labelbeam.pipelines;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Builds Beam {@link PipelineOptions} for our commands, and registers Beam's filesystems from them for the
 * command's own reads outside the pipeline: {@code --runner} (FlinkRunner by default,
 * DirectRunner, or any runner on the class path) plus any other Beam flags passed through, such as
 * {@code --flinkMaster=host:8081} or {@code --parallelism=2}. FlinkRunner without {@code --flinkMaster}
 * is an embedded Flink with one slot per core.
 */
public final class Runners {
  private Runners() {}

  /**
   * Whether {@code options} run the pipeline in this one process (Beam's DirectRunner): there are no
   * workers to spread work over, and bundles hold single elements. The transforms build one graph on
   * every runner; the commands choose two of their options by this: no {@code Reshuffle} before decoding
   * ({@code PreprocessImages.withoutReshuffle}: 3,000 images took 148 s with it, 7.4 s without) and
   * predict's batches regrouped ({@link ScoringOptions#batchesRegrouped}: full forward passes).
   */
  public static boolean inOneProcess(PipelineOptions options) {
    return options.getRunner().getSimpleName().equals("DirectRunner");
  }

  /**
   * @param runner runner name, e.g. {@code DirectRunner} or {@code FlinkRunner}
   * @param beamArgs further Beam flags ({@code --name=value})
   */
  public static PipelineOptions options(String runner, List<String> beamArgs) {
    List<String> args = new ArrayList<>();
    args.add("--runner=" + runner);
    for (String a : beamArgs) {
      if (a.startsWith("--runner=")) {
        throw new IllegalArgumentException("give the runner with --runner, once (found " + a + ")");
      }
      args.add(a);
    }
    if ("FlinkRunner".equals(runner)) {
      // without a cluster: an embedded Flink in this JVM, one slot per core
      if (args.stream().noneMatch(a -> a.startsWith("--flinkMaster="))) {
        args.add("--flinkMaster=[local]");
      }
      if (args.stream().noneMatch(a -> a.startsWith("--parallelism="))) {
        args.add("--parallelism=" + Runtime.getRuntime().availableProcessors());
      }
      // our DoFns never mutate their inputs, so Flink need not copy elements between chained operators
      // (and it warns at every run when this is not set)
      if (args.stream().noneMatch(a -> a.startsWith("--fasterCopy"))) {
        args.add("--fasterCopy=true");
      }
    }
    if ("DirectRunner".equals(runner) && args.stream().noneMatch(a -> a.startsWith("--targetParallelism"))) {
      args.add("--targetParallelism=" + Math.max(2, Runtime.getRuntime().availableProcessors()));
    }
    PipelineOptions options = PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).withValidation().create();
    // the command's own reads and writes before and after the pipeline (dataset.json, the model, the
    // reports) go through the filesystems these options configure (an S3 endpoint, GCS credentials);
    // inside the pipeline the runner sets them up from the same options
    dev.labelbeam.transforms.shards.BeamStorage.registering(options);
    return options;
  }
}
