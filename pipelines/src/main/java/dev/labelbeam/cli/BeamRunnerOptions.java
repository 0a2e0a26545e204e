package dev.labelbeam.cli;

import dev.labelbeam.pipelines.Runners;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      String near = command == null ? null : closestOption(name, command.optionsMap().keySet());
      if (near != null) {
        throw new picocli.CommandLine.ParameterException(command.commandLine(),
            "unknown option '" + name + "'; did you mean " + near + "?");
      }
      if (!a.startsWith("--") || !a.contains("=")) {
        throw new picocli.CommandLine.ParameterException(command.commandLine(), "unknown argument '" + a
            + "': Beam flags take the form --name=value" + (a.startsWith("-") ? ""
                : "; if the shell expanded a glob into several files, quote it ('data/*.csv')"));
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
   * The option of {@code names} that {@code name} most likely misspells (at most two edits, or a
   * prefix of it), or null: such a flag is a typo, not a Beam flag.
   */
  static String closestOption(String name, java.util.Collection<String> names) {
    if (!name.startsWith("--")) {
      return null;
    }
    String best = null;
    double bestDistance = 3;
    for (String n : names) {
      if (!n.startsWith("--") || n.equals(name)) {
        continue;
      }
      // a typed prefix of an option, or an option with extra letters typed after it, ranks first
      double d = n.startsWith(name) && name.length() >= 5 ? 1 : editDistance(name, n) - (name.startsWith(n) ? 0.5 : 0);
      if (d < bestDistance) {
        best = n;
        bestDistance = d;
      }
    }
    return best;
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
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
