package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.cli.LabelbeamCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line: every subcommand documents every option with its default; errors are clear. */
class CliTest {

  private static String help(String sub) {
    CommandLine cl = LabelbeamCli.commandLine();
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    assertEquals(0, cl.execute(sub, "--help"));
    return out.toString();
  }

  @Test
  void everyOptionIsDocumentedWithItsDefault() {
    for (String sub : new String[] {"demo", "preprocess", "train", "evaluate", "predict", "generate", "check"}) {
      String h = help(sub);
      CommandLine.Model.CommandSpec spec = LabelbeamCli.commandLine().getSubcommands().get(sub).getCommandSpec();
      for (CommandLine.Model.OptionSpec o : spec.options()) {
        if (o.hidden()) {
          continue; // test-only options stay out of the help
        }
        assertTrue(h.contains(o.longestName()), sub + " help lacks " + o.longestName());
        boolean flag = o.arity().max() == 0;
        if (flag && !o.usageHelp() && !o.versionHelp()) {
          assertTrue(String.join(" ", o.description()).contains("Default: off"), sub + " " + o.longestName() + " says its default");
        } else if (o.defaultValue() != null && !o.usageHelp() && !o.versionHelp()) {
          assertTrue(h.contains("Default: " + o.defaultValue()), sub + " help lacks the default of " + o.longestName());
        }
      }
    }
  }

  @Test
  void badInputGivesAClearError(@TempDir Path tmp) {
    CommandLine cl = LabelbeamCli.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    int code = cl.execute("train", "--shards", tmp.resolve("nothing").toString(), "--output", tmp.toString());
    assertEquals(1, code);
    assertTrue(err.toString().contains("error:"), err.toString());
    assertTrue(err.toString().contains("dataset.json"), err.toString());
  }
}
