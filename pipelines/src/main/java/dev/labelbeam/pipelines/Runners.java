package dev.labelbeam.pipelines;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Builds Beam {@link PipelineOptions} for our commands: {@code --runner} (FlinkRunner by default,
 * DirectRunner, or any runner on the class path) plus any other Beam flags passed through, such as
 * {@code --flinkMaster=host:8081} or {@code --parallelism=2}. FlinkRunner without {@code --flinkMaster}
 * is an embedded Flink with one slot per core.
 */
public final class Runners {
  private Runners() {}

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
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).withValidation().create();
  }
}
