package dev.labelbeam.cli;

import dev.labelbeam.pipelines.Runners;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The runner flags shared by the commands that run Beam pipelines (a picocli mixin). */
public final class BeamRunnerOptions {
  @Option(names = "--runner", defaultValue = "FlinkRunner",
      description = "Beam runner: FlinkRunner (without --flinkMaster an embedded Flink sized to this machine: "
          + "parallelism = cores), DirectRunner (small jobs, tests) or another runner on the class path "
          + "(default: ${DEFAULT-VALUE}).")
  String runner;

  /** The command this mixin is part of: its unmatched arguments are the Beam flags. */
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  /** The pipeline options: {@code --runner} plus every unrecognised {@code --flag=value}, passed to Beam. */
  PipelineOptions options() {
    List<String> beamArgs = beamArgs();
    for (String a : beamArgs) {
      if (!a.startsWith("--") || !a.contains("=")) {
        throw new IllegalArgumentException("unknown argument '" + a + "': Beam flags take the form --name=value");
      }
    }
    if ("DirectRunner".equals(runner)) {
      // DirectRunner's immutability and encodability checks keep encoded copies of every element
      // (44 KB score records at 11,000 classes ran out of memory at 17,981 examples): they are for
      // tests of transforms, not for running the commands; --enforceImmutability=true turns them back on
      for (String flag : List.of("--enforceImmutability", "--enforceEncodability")) {
        if (beamArgs.stream().noneMatch(a -> a.startsWith(flag + "="))) {
          beamArgs.add(flag + "=false");
        }
      }
    }
    return Runners.options(runner, beamArgs);
  }

  /**
   * The arguments picocli did not match to an option of the command (the command line enables
   * unmatched arguments for every command with this mixin, see {@link LabelbeamCli#commandLine()}).
   */
  List<String> beamArgs() {
    return command == null ? List.of() : new ArrayList<>(command.commandLine().getUnmatchedArguments());
  }

  static final String FOOTER =
      "%nAny other --name=value flag goes to Beam, e.g. --flinkMaster=[local] --parallelism=2 with --runner=FlinkRunner.";
}
