package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.cli.LabelbeamCli;
import dev.labelbeam.cli.TrainCommand;
import dev.labelbeam.trainer.DeviceChoice;
import dev.labelbeam.trainer.train.TrainOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        } else if (o.initialValue() != null && !o.usageHelp() && !o.versionHelp()) {
          // defaults taken from the typed options' values (e.g. TrainOptions.defaults())
          assertTrue(h.contains("Default: " + o.initialValue()), sub + " help lacks the default of " + o.longestName());
        }
      }
    }
  }

  @Test
  void everyHelpIsFreeOfPicocliWarnings() {
    // an unescaped % in a description once printed "[picocli WARN] Could not format ..." above every help
    java.io.PrintStream stderr = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true));
    try {
      List<String> subs = new java.util.ArrayList<>(LabelbeamCli.commandLine().getSubcommands().keySet());
      assertTrue(subs.containsAll(List.of("compare", "convert", "check", "demo", "train")), subs.toString());
      for (String sub : subs) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, LabelbeamCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
            .execute(sub, "--help"), sub);
        assertFalse(out.toString().contains("WARN") || err.toString().contains("WARN"), sub + ": " + out + err);
      }
      StringWriter top = new StringWriter();
      LabelbeamCli.commandLine().setOut(new PrintWriter(top)).execute("--help");
    } finally {
      System.setErr(stderr);
    }
    assertFalse(captured.toString().contains("picocli WARN"), captured.toString());
  }

  @Test
  void badInputGivesAClearError(@TempDir Path tmp) {
    CommandLine cl = LabelbeamCli.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    int code = cl.execute("train", "--shards", tmp.resolve("nothing").toString(), "--output", tmp.toString());
    assertEquals(1, code);
    assertTrue(err.toString().contains("error:"), err.toString());
    assertTrue(err.toString().contains("not a preprocessed folder") && err.toString().contains("labelbeam preprocess"),
        err.toString());
  }

  @Test
  void messagesNameTheCommandsOptions(@TempDir Path tmp) {
    CommandLine cl = LabelbeamCli.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    assertEquals(1, cl.execute("preprocess", "--manifest", "m.csv", "--output", tmp.toString(), "--val-fraction", "2"));
    assertTrue(err.toString().contains("--val-fraction must be in [0, 1), was 2.0"), err.toString());
  }

  @Test
  void aMisspeltOptionOfAPipelineCommandIsAUsageErrorWithASuggestion(@TempDir Path tmp) {
    for (String[] c : new String[][] {
        {"preprocess", "--manifest", "m.csv", "--output", "o", "--max-bad-fractio", "0.5", "--max-bad-fraction"},
        {"evaluate", "--shards", "s", "--model", "m", "--modes", "exact", "--mode"},
        {"predict", "--model", "m", "--records", "r", "--output", "o", "--top=3", "--top-k"}}) {
      CommandLine cl = LabelbeamCli.commandLine();
      StringWriter err = new StringWriter();
      cl.setErr(new PrintWriter(err));
      String[] args = java.util.Arrays.copyOf(c, c.length - 1);
      assertEquals(2, cl.execute(args), err.toString());
      assertTrue(err.toString().contains("did you mean " + c[c.length - 1] + "?"), err.toString());
    }
  }

  @Test
  void trainOptionsReachTheWorkersAsJsonAndBack(@TempDir Path tmp) {
    TrainOptions o = TrainOptions.builder(tmp.resolve("s").toAbsolutePath(), tmp.resolve("m").toAbsolutePath())
        .arch(TrainOptions.Architecture.RESNET18).width(8).batchNorm(false).initWeights(tmp.resolve("w.safetensors"))
        .freezeBackbone(true).imageSize(40).epochs(3).batchSize(5).loaderThreads(3).cropScaleMin(0.5).flip(false)
        .seed(9).loss(TrainOptions.LossFunction.ASL).posWeight(TrainOptions.PosWeight.file(tmp.resolve("pw.txt")))
        .maxPosWeight(7).aslGammaPos(1).aslGammaNeg(2).aslMargin(0.1)
        .classifierBias(TrainOptions.defaults().classifierBias() == TrainOptions.ClassifierBias.PRIOR
            ? TrainOptions.ClassifierBias.ZERO : TrainOptions.ClassifierBias.PRIOR).optimizer(TrainOptions.OptimizerKind.SGD)
        .learningRate(0.25).weightDecay(0.001).momentum(0.8).nesterov(true).warmupSteps(4).gradClip(2)
        .distTimeoutSeconds(11).bucketBytes(3 << 20).dumpRankWeights(true).torchThreads(2)
        .device(DeviceChoice.CPU).maxSteps(100).checkpointEvery(10).keepCheckpoints(4).resume(true).validate(false)
        .logEvery(3).validateEvery(2).valSamples(50).build();
    TrainOptions d = TrainOptions.builder(tmp.toAbsolutePath(), tmp.toAbsolutePath()).build();
    // o differs from the defaults in every option, so that an option the JSON leaves out fails the trip
    for (java.lang.reflect.RecordComponent c : TrainOptions.class.getRecordComponents()) {
      try {
        assertNotEquals(c.getAccessor().invoke(d), c.getAccessor().invoke(o), "set " + c.getName() + " in this test");
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
    }
    // the workers get the options as JSON: every option survives the trip, the defaults too
    assertEquals(o, TrainOptions.fromJson(o.toJson()));
    assertEquals(d, TrainOptions.fromJson(d.toJson()));
    TrainOptions relative = TrainOptions.builder(Path.of("shards"), Path.of("model")).build();
    assertEquals(relative, TrainOptions.fromJson(relative.toJson()), "relative paths stay relative");
    // --pos-weight also takes one number for every class
    TrainOptions fortyNine = TrainCommand.parse(List.of("train", "--shards", "s", "--output", "m", "--pos-weight", "49"));
    assertEquals(TrainOptions.PosWeight.constant(49), fortyNine.posWeight());
    assertEquals(fortyNine, TrainOptions.fromJson(fortyNine.toJson()));
    // an invalid value in the file is refused as the flag would be
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> TrainOptions.fromJson(d.toJson().replace("\"epochs\":10", "\"epochs\":0")));
    assertTrue(bad.getMessage().contains("--epochs must be >= 1, was 0"), bad.getMessage());
  }

  @Test
  void workersShareTheCoresUnlessThreadsAreGiven(@TempDir Path tmp) {
    TrainOptions auto = TrainOptions.builder(tmp, tmp).build().perWorker(2, 8);
    assertEquals(4, auto.torchThreads());
    assertEquals(4, auto.loaderThreads());
    TrainOptions given = TrainOptions.builder(tmp, tmp).torchThreads(3).build().perWorker(2, 8);
    assertEquals(3, given.torchThreads());
    // TrainModel's workers get the options train --workers would give them
    TrainOptions a = TrainModel.to(tmp.resolve("m").toString()).withWorkers(2)
        .withOptions(TrainOptions.defaults().toBuilder().epochs(3).build()).workerOptions("/data/shards");
    assertEquals("/data/shards", a.shardDir());
    assertEquals(tmp.resolve("m"), a.outputDir());
    assertEquals(3, a.epochs());
    int share = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    assertEquals(share, a.torchThreads());
    List<String> args = TrainCommand.workerArgs(a, Path.of("/o/workers/options.json"));
    assertEquals("/o/workers/options.json", args.get(args.indexOf("--options-file") + 1));
  }

  @Test
  void anInvalidOptionNamesItselfTheValueAndWhatIsAllowed(@TempDir Path tmp) {
    CommandLine cl = LabelbeamCli.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    assertEquals(1, cl.execute("train", "--shards", tmp.toString(), "--output", tmp.toString(), "--epochs", "0"));
    assertTrue(err.toString().contains("--epochs must be >= 1, was 0"), err.toString());
    err.getBuffer().setLength(0);
    assertEquals(2, cl.execute("train", "--shards", tmp.toString(), "--output", tmp.toString(), "--arch", "vgg"));
    assertTrue(err.toString().contains("small_cnn, resnet18, resnet34, resnet50"), err.toString());
  }

  @Test
  void smallMistakesSayWhatToDo(@TempDir Path tmp) throws Exception {
    // a negative --pos-weight once said only "error: -3"
    StringWriter err = new StringWriter();
    assertEquals(2, TestCli.run(err, "train", "--shards", tmp.toString(), "--output", tmp.resolve("m").toString(),
        "--pos-weight", "-3"));
    assertTrue(err.toString().contains("must be > 0, was -3"), err.toString());
    err = new StringWriter();
    assertEquals(2, TestCli.run(err, "train", "--shards", tmp.toString(), "--output", tmp.resolve("m").toString(),
        "--pos-weight", "datset"));
    assertTrue(err.toString().contains("dataset, sqrt, none, a number > 0 or a file"), err.toString());
    // --output naming a file once said only its path
    Path file = Files.writeString(tmp.resolve("notes.txt"), "x");
    Path shards = TestDatasets.preprocess(tmp.resolve("d"), 40, 32, 3, 16, 0, 1);
    for (String[] cmd : List.of(
        new String[] {"train", "--shards", shards.toString(), "--output", file.toString(), "--epochs", "1",
            "--batch-size", "8", "--device", "cpu"},
        new String[] {"preprocess", "--image-folder", tmp.resolve("d/data/images").toString(), "--output",
            file.resolve("sub").toString(), "--runner", "DirectRunner"})) {
      err = new StringWriter();
      assertEquals(1, TestCli.run(err, cmd), String.join(" ", cmd));
      assertTrue(err.toString().contains("not a folder"), err.toString());
    }
    // an --image-folder that is not there
    err = new StringWriter();
    assertEquals(1, TestCli.run(err, "preprocess", "--image-folder", tmp.resolve("no-such-folder").toString(),
        "--output", tmp.resolve("o").toString(), "--runner", "DirectRunner"));
    assertTrue(err.toString().contains("no-such-folder is not a folder"), err.toString());
  }
}
