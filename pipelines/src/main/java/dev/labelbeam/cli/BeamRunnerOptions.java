package dev.labelbeam.cli;

import dev.labelbeam.pipelines.Runners;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/** The runner flags shared by the commands that run Beam pipelines (a picocli mixin). */
public final class BeamRunnerOptions {
  @Option(names = "--runner", defaultValue = "DirectRunner",
      description = "Beam runner: DirectRunner or FlinkRunner (default: ${DEFAULT-VALUE}).")
  String runner;

  @Unmatched
  List<String> beamArgs = new ArrayList<>();

  /** The pipeline options: {@code --runner} plus every unrecognised {@code --flag=value}, passed to Beam. */
  PipelineOptions options() {
    for (String a : beamArgs) {
      if (!a.startsWith("--") || !a.contains("=")) {
        throw new IllegalArgumentException("unknown argument '" + a + "': Beam flags take the form --name=value");
      }
    }
    return Runners.options(runner, beamArgs);
  }

  static final String FOOTER =
      "%nAny other --name=value flag goes to Beam, e.g. --flinkMaster=[local] --parallelism=2 with --runner=FlinkRunner.";
}
