package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.cli.LabelbeamCli;
import dev.labelbeam.trainer.weights.Safetensors;
import dev.labelbeam.transforms.PreprocessImages;
import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.shards.ShardOptions;
import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code labelbeam train} killed with SIGKILL in the middle of a run, then {@code --resume}d, ends
 * with the weights of an uninterrupted run.
 */
class KillAndResumeTest {

  static List<String> trainArgs(Path shards, Path out) {
    return new ArrayList<>(List.of("train", "--shards", shards.toString(), "--output", out.toString(), "--epochs", "3",
        "--batch-size", "16", "--optimizer", "sgd", "--lr", "0.02", "--seed", "7", "--torch-threads", "1",
        "--loader-threads", "2", "--device", "cpu", "--no-validate", "--checkpoint-every", "2", "--width", "8"));
  }

  @Test
  void killedTrainingResumesToTheSameWeights(@TempDir Path tmp) throws Exception {
    Path manifest = SyntheticShapes.generate(tmp.resolve("data"), 240, 64, 4);
    Path shards = tmp.resolve("shards");
    PreprocessPipeline.run(PreprocessImages.fromManifest(manifest.toString()).withImageOptions(ImageOptions.defaults().withShorterSide(24))
        .withShardOptions(ShardOptions.defaults().withSplit(0, 0, "").withShards("train", 2)), shards, Runners.options("DirectRunner", List.of()));

    Path a = tmp.resolve("a");
    assertEquals(0, LabelbeamCli.commandLine().execute(trainArgs(shards, a).toArray(new String[0])));

    // the same run in its own JVM, stopped with Ctrl-C (SIGINT) once a mid-run checkpoint exists
    Path b = tmp.resolve("b");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LabelbeamCli.class.getName()));
    cmd.addAll(trainArgs(shards, b));
    cmd.addAll(List.of("--log-every", "20")); // the step-20 line comes after the step-20 checkpoint is written
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    ProcessLines out = new ProcessLines(p, tmp.resolve("b.log"));
    out.await(java.util.regex.Pattern.compile("^\\s*step 20/"), java.time.Duration.ofSeconds(120));
    Path target = b.resolve("checkpoints/step-000000020");
    assertTrue(Files.exists(target), "no mid-run checkpoint: " + out.text());
    assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor());
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertTrue(!Files.exists(b.resolve("model.pt")), "stopped before the end");
    String stopped = out.awaitEnd(java.time.Duration.ofSeconds(30));
    assertTrue(stopped.contains("interrupted; rerun the same command with --resume"), stopped);

    List<String> resume = trainArgs(shards, b);
    resume.add("--resume");
    assertEquals(0, LabelbeamCli.commandLine().execute(resume.toArray(new String[0])));

    Map<String, Safetensors.Entry> wa = Safetensors.read(a.resolve("model.safetensors"));
    Map<String, Safetensors.Entry> wb = Safetensors.read(b.resolve("model.safetensors"));
    for (String k : wa.keySet()) {
      if (wa.get(k).floats != null) {
        assertArrayEquals(wa.get(k).floats, wb.get(k).floats, 1e-6f, k);
      } else {
        assertArrayEquals(wa.get(k).longs, wb.get(k).longs, k);
      }
    }
  }

  @Test
  void aUsedOutputFolderIsRefusedUnlessResumedOrOverwritten(@TempDir Path tmp) throws Exception {
    Path manifest = SyntheticShapes.generate(tmp.resolve("data"), 80, 48, 6);
    Path shards = tmp.resolve("shards");
    PreprocessPipeline.run(PreprocessImages.fromManifest(manifest.toString())
        .withImageOptions(ImageOptions.defaults().withShorterSide(24))
        .withShardOptions(ShardOptions.defaults().withSplit(0, 0, "")), shards, Runners.options("DirectRunner", List.of()));
    Path out = tmp.resolve("model");
    List<String> first = trainArgs(shards, out);
    first.set(first.indexOf("--epochs") + 1, "1");
    assertEquals(0, LabelbeamCli.commandLine().execute(first.toArray(new String[0])));
    assertTrue(Files.exists(out.resolve("checkpoints")));

    // a new run into the same folder: refused with a message, the earlier run untouched
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cl = LabelbeamCli.commandLine();
    cl.setErr(new java.io.PrintWriter(err));
    List<String> second = trainArgs(shards, out);
    second.set(second.indexOf("--seed") + 1, "99");
    int code = cl.execute(second.toArray(new String[0]));
    assertTrue(code != 0, "a used --output must be refused");
    assertTrue(err.toString().contains("--resume") && err.toString().contains("--overwrite"), err.toString());
    assertTrue(Files.exists(out.resolve("model.pt")));

    // --overwrite replaces it: the old checkpoints are gone, so a later --resume cannot pick up the old run
    second.add("--overwrite");
    assertEquals(0, LabelbeamCli.commandLine().execute(second.toArray(new String[0])));
    String log = Files.readString(out.resolve("train_log.jsonl"));
    assertEquals(3, log.lines().count(), "only the new run's 3 epochs: " + log);
  }
}
