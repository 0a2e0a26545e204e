package dev.labelbeam.pipelines;

import dev.labelbeam.cli.LabelbeamCli;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the command line in this JVM, as a user would type it. */
final class TestCli {
  private TestCli() {}

  /** The exit code; a failing command's error output goes to the test's stderr. */
  static int run(String... args) {
    StringWriter err = new StringWriter();
    int code = run(err, args);
    if (code != 0) {
      System.err.println(err);
    }
    return code;
  }

  /** The exit code, with the command's error output in {@code err}. */
  static int run(StringWriter err, String... args) {
    return LabelbeamCli.commandLine().setErr(new PrintWriter(err)).execute(args);
  }
}
