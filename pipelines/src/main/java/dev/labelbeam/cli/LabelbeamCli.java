package dev.labelbeam.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code labelbeam} command line: one entry point, a subcommand per stage. */
@Command(
    name = "labelbeam",
    mixinStandardHelpOptions = true,
    version = "labelbeam 0.1.0",
    description = "Multi-label image classification at scale: Beam preprocessing, LibTorch training, Beam evaluation.",
    subcommands = {
      DemoCommand.class,
      PreprocessCommand.class,
      TrainCommand.class,
      EvaluateCommand.class,
      CompareCommand.class,
      ConvertCommand.class,
      PredictCommand.class,
      GenerateCommand.class,
      CheckCommand.class,
      CommandLine.HelpCommand.class
    })
public final class LabelbeamCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Builds the command line, with the settings every subcommand shares. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new LabelbeamCli());
    // enum options (--arch, --loss, --device, ...) take their lower-case names as the help lists them
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    // commands that run pipelines keep the arguments they do not know: BeamRunnerOptions hands them to
    // Beam (an @Unmatched field in the mixin itself stays empty in picocli)
    for (CommandLine sub : cl.getSubcommands().values()) {
      if (sub.getCommandSpec().mixins().values().stream()
          .anyMatch(m -> m.userObject() instanceof BeamRunnerOptions)) {
        sub.setUnmatchedArgumentsAllowed(true);
      }
    }
    // the client side of every command reads through Beam's filesystems: the commands that take Beam
    // flags register them from those (Runners.options); the others with Beam's defaults, here (not for
    // --help: building Beam's options takes most of a second)
    cl.setExecutionStrategy(parsed -> {
      CommandLine.ParseResult sub = parsed.subcommand();
      boolean help = parsed.isUsageHelpRequested() || (sub != null && sub.isUsageHelpRequested());
      boolean beamFlags = sub != null && sub.commandSpec().mixins().values().stream()
          .anyMatch(m -> m.userObject() instanceof BeamRunnerOptions);
      if (sub != null && !help && !beamFlags) {
        dev.labelbeam.transforms.shards.BeamStorage.registering(org.apache.beam.sdk.options.PipelineOptionsFactory.create());
      }
      return new CommandLine.RunLast().execute(parsed);
    });
    cl.setExecutionExceptionHandler((ex, line, parsed) -> {
      if (ex instanceof CommandLine.ParameterException) { // found by a command itself (a misspelt option): usage
        line.getErr().println("error: " + ex.getMessage());
        line.getErr().println("Run 'labelbeam " + line.getCommandName() + " --help' for the options.");
        return CommandLine.ExitCode.USAGE;
      }
      line.getErr().println("error: " + withOptionNames(userMessage(ex), line));
      if (System.getenv("LABELBEAM_DEBUG") != null) {
        ex.printStackTrace(line.getErr());
      }
      return 1;
    });
    return cl;
  }

  /**
   * What to tell the user about a failure: the message of the exception that explains it, without
   * the runners' wrappers (a PipelineExecutionException's "java.lang.IllegalStateException: ..." prefix).
   */
  static String userMessage(Throwable ex) {
    for (Throwable c = ex; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof java.io.IOException && c.getMessage() != null && c.getMessage().contains("No space left on device")) {
        return "the output's filesystem is full (No space left on device). Free space there or choose another "
            + "folder, then run again: nothing was committed, a dataset or model already there is unchanged";
      }
    }
    Throwable t = ex;
    while (t.getCause() != null && t.getCause() != t
        && (t instanceof org.apache.beam.sdk.Pipeline.PipelineExecutionException || t.getMessage() == null
            || t.getMessage().equals(t.getCause().toString()) || t.getMessage().startsWith(t.getCause().getClass().getName()))) {
      t = t.getCause();
    }
    String message = t.getMessage() != null ? t.getMessage() : t.toString();
    if (message.startsWith("Pipeline execution failed") || message.startsWith("Job execution failed")) {
      // a runner's generic wrapper: the deepest cause says what happened
      Throwable root = t;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      if (root != t) {
        return message + ": " + root.getClass().getSimpleName() + ": " + root.getMessage();
      }
    }
    return message;
  }

  /**
   * The message with the options' field names ({@code valFraction}, as the option values name them
   * for pipeline authors) replaced by the command's option names ({@code --val-fraction}).
   */
  static String withOptionNames(String message, CommandLine line) {
    String out = message;
    for (CommandLine.Model.OptionSpec o : line.getCommandSpec().options()) {
      String name = o.longestName();
      if (!name.startsWith("--")) {
        continue;
      }
      StringBuilder camel = new StringBuilder();
      boolean up = false;
      for (char ch : name.substring(2).toCharArray()) {
        if (ch == '-') {
          up = true;
        } else {
          camel.append(up ? Character.toUpperCase(ch) : ch);
          up = false;
        }
      }
      if (camel.length() > 1 && !camel.toString().equals(name.substring(2))) {
        out = out.replaceAll("\\b" + camel + "\\b", name);
      }
    }
    return out;
  }

  public static void main(String[] args) {
    int code = commandLine().execute(args);
    System.exit(code);
  }
}
