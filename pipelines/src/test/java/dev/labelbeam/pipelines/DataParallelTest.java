package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.cli.LabelbeamCli;
import dev.labelbeam.trainer.weights.Safetensors;
import dev.labelbeam.transforms.PreprocessImages;
import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.shards.ShardOptions;
import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data-parallel training with worker processes: identical replicas, equivalence, failures, resume. */
class DataParallelTest {
  @TempDir static Path tmp;
  static Path shards;

  @BeforeAll
  static void data() throws Exception {
    Path manifest = SyntheticShapes.generate(tmp.resolve("data"), 256, 48, 8);
    shards = tmp.resolve("shards");
    PreprocessPipeline.run(PreprocessImages.fromManifest(manifest.toString()).withImageOptions(ImageOptions.defaults().withShorterSide(24))
        .withShardOptions(ShardOptions.defaults().withSplit(0, 0, "").withShards("train", 2)), shards, Runners.options("DirectRunner", List.of()));
  }

  static List<String> args(Path out, int workers, int batch, String... more) {
    List<String> a = new ArrayList<>(List.of("train", "--shards", shards.toString(), "--output", out.toString(),
        "--workers", Integer.toString(workers), "--batch-size", Integer.toString(batch), "--epochs", "1",
        "--no-batch-norm", "--width", "8", "--optimizer", "sgd", "--lr", "0.05", "--seed", "3", "--torch-threads", "1",
        "--loader-threads", "1", "--no-validate", "--crop-scale-min", "1", "--device", "cpu", "--warmup-steps", "0"));
    a.addAll(List.of(more));
    return a;
  }

  static int cli(List<String> a) {
    return LabelbeamCli.commandLine().execute(a.toArray(new String[0]));
  }

  static void assertClose(Path a, Path b, float tol) throws Exception {
    Map<String, Safetensors.Entry> wa = Safetensors.read(a);
    Map<String, Safetensors.Entry> wb = Safetensors.read(b);
    assertEquals(wa.keySet(), wb.keySet());
    for (String k : wa.keySet()) {
      assertArrayEquals(wa.get(k).floats, wb.get(k).floats, tol, k);
    }
  }

  @Test
  void replicasStayIdenticalAndTwoWorkersEqualOneWithTheDoubleBatch() throws Exception {
    Path two = tmp.resolve("two");
    // 4 KB buckets: the small model's gradients go in many all-reduces, most started during backward
    assertEquals(0, cli(args(two, 2, 8, "--dump-rank-weights", "--bucket-mb", "0.004")));
    assertClose(two.resolve("rank-0.safetensors"), two.resolve("rank-1.safetensors"), 0f);

    Path one = tmp.resolve("one");
    assertEquals(0, cli(args(one, 1, 16)));
    // float sums in another order over 16 steps: equal to a few 1e-5
    assertClose(one.resolve("model.safetensors"), two.resolve("model.safetensors"), 2e-4f);
    // and the training did move every weight tensor far beyond that tolerance from where it started
    dev.labelbeam.trainer.TorchRuntime.load();
    dev.labelbeam.trainer.model.ModelSpec spec =
        dev.labelbeam.trainer.model.ModelSpec.read(one.resolve(dev.labelbeam.trainer.model.ModelSpec.FILE_NAME));
    org.bytedeco.pytorch.global.torch.manual_seed(3); // the run's --seed, as the trainer seeds before building
    Path init = tmp.resolve("init.safetensors");
    dev.labelbeam.trainer.weights.StateDicts.save(spec.build(), init, Map.of());
    Map<String, Safetensors.Entry> start = Safetensors.read(init);
    Map<String, Safetensors.Entry> trained = Safetensors.read(two.resolve("model.safetensors"));
    assertEquals(start.keySet(), trained.keySet());
    Map<String, Safetensors.Entry> single = Safetensors.read(one.resolve("model.safetensors"));
    for (String k : start.keySet()) {
      float moved = 0;
      float apart = 0;
      for (int i = 0; i < start.get(k).floats.length; i++) {
        moved = Math.max(moved, Math.abs(start.get(k).floats[i] - trained.get(k).floats[i]));
        apart = Math.max(apart, Math.abs(single.get(k).floats[i] - trained.get(k).floats[i]));
      }
      // the two runs agree to a small part of how far training moved the tensor
      assertTrue(apart < moved / 20, k + ": moved " + moved + " from its initial value, but one and two workers differ by "
          + apart);
    }
  }

  @Test
  void everyRankValidatesItsShareAndRankZeroReportsTheSum() throws Exception {
    Path manifest = SyntheticShapes.generate(tmp.resolve("val-data"), 160, 48, 12);
    Path withVal = tmp.resolve("val-shards");
    PreprocessPipeline.run(PreprocessImages.fromManifest(manifest.toString())
        .withImageOptions(ImageOptions.defaults().withShorterSide(24))
        .withShardOptions(ShardOptions.defaults().withSplit(0.3, 0, "v").withShards("train", 2).withShards("val", 1)),
        withVal, Runners.options("DirectRunner", List.of()));
    Path out = tmp.resolve("validated");
    List<String> a = args(out, 2, 8, "--validate-every", "2", "--val-samples", "30");
    a.set(a.indexOf("--shards") + 1, withVal.toString());
    a.set(a.indexOf("--epochs") + 1, "3");
    a.remove("--no-validate");
    assertEquals(0, cli(a));
    List<String> epochs = Files.readAllLines(out.resolve("train_log.jsonl"));
    assertEquals(3, epochs.size());
    assertTrue(epochs.get(0).contains("\"val_macro_auc\":null"), "epoch 1 is not validated: " + epochs.get(0));
    for (String e : List.of(epochs.get(1), epochs.get(2))) { // epoch 2 (every 2nd) and the last
      assertTrue(e.matches(".*\"val_macro_auc\":[01]\\.\\d+.*") && !e.contains("\"val_seconds\":null"), e);
    }
  }

  @Test
  void aDeadWorkerStopsTheRunAndTheRunResumes() throws Exception {
    Path out = tmp.resolve("killed");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LabelbeamCli.class.getName()));
    List<String> a = args(out, 2, 8, "--checkpoint-every", "3", "--log-every", "3");
    a.set(a.indexOf("--epochs") + 1, "40");
    cmd.addAll(a);
    Process launcher = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    ProcessLines lines = new ProcessLines(launcher, tmp.resolve("launcher.log"));
    // rank 0 logs step 3 after writing its checkpoint; the workers' pid files exist before any step
    lines.await(java.util.regex.Pattern.compile("^\\s*step 3/"), java.time.Duration.ofSeconds(120));
    Path pid1 = out.resolve("workers/rank-1.pid");
    assertTrue(launcher.isAlive(), "the run ended early: " + lines.text());
    ProcessHandle.of(Long.parseLong(Files.readString(pid1).trim())).orElseThrow().destroyForcibly();
    long killed = System.nanoTime();
    assertTrue(launcher.waitFor(60, TimeUnit.SECONDS), "the launcher must stop within 60 s");
    double seconds = (System.nanoTime() - killed) / 1e9;
    String log = lines.awaitEnd(java.time.Duration.ofSeconds(30));
    assertNotEquals(0, launcher.exitValue(), log);
    assertTrue(log.contains("worker rank 1 failed"), log);
    System.out.printf("launcher exited %.1f s after rank 1 was killed%n", seconds);

    // resume on one worker: continues from the last checkpoint
    List<String> resume = args(out, 1, 16, "--resume", "--max-steps", "30");
    resume.set(resume.indexOf("--epochs") + 1, "40");
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true));
    int code;
    try {
      code = cli(resume);
    } finally {
      System.setOut(old);
    }
    assertEquals(0, code, buf.toString());
    assertTrue(buf.toString().contains("resuming at step"), buf.toString());
    assertTrue(Files.exists(out.resolve("model.safetensors")));
  }

  /**
   * Workers started from environment variables, as a cluster scheduler does on several machines, with no
   * launcher to stop the others: when rank 1 dies, rank 0 must fail on its own, with an error, within
   * the distributed timeout, never hang.
   */
  @Test
  void withoutALauncherTheSurvivorFailsWithinTheTimeout() throws Exception {
    Path out = tmp.resolve("env-workers");
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> a = args(out, 1, 8, "--dist-timeout", "15");
    a.remove(a.indexOf("--workers") + 1);
    a.remove("--workers");
    a.set(a.indexOf("--epochs") + 1, "40");
    List<Process> ranks = new ArrayList<>();
    ProcessLines rank0 = null;
    for (int r = 0; r < 2; r++) {
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), LabelbeamCli.class.getName()));
      cmd.addAll(a);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      if (r == 1) {
        pb.redirectOutput(tmp.resolve("env-rank-1.log").toFile());
      }
      pb.environment().putAll(Map.of("RANK", Integer.toString(r), "WORLD_SIZE", "2", "LOCAL_RANK", Integer.toString(r),
          "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", Integer.toString(port)));
      ranks.add(pb.start());
      if (r == 0) {
        rank0 = new ProcessLines(ranks.get(0), tmp.resolve("env-rank-0.log"));
      }
    }
    try {
      // rank 0 prints an epoch line once both ranks have trained a whole epoch together
      rank0.await(java.util.regex.Pattern.compile("^epoch 1/"), java.time.Duration.ofSeconds(120));
      assertTrue(ranks.get(0).isAlive() && ranks.get(1).isAlive(),
          "both ranks should be training: " + rank0.text());
      ranks.get(1).destroyForcibly();
      long killed = System.nanoTime();
      assertTrue(ranks.get(0).waitFor(45, TimeUnit.SECONDS), "rank 0 must stop on its own, within the timeout");
      double seconds = (System.nanoTime() - killed) / 1e9;
      String rank0Log = rank0.awaitEnd(java.time.Duration.ofSeconds(30));
      assertNotEquals(0, ranks.get(0).exitValue(), rank0Log);
      assertTrue(rank0Log.contains("error: rank 0/2") && rank0Log.contains("another worker died"), rank0Log);
      System.out.printf("rank 0 exited %.1f s after rank 1 was killed: %s%n", seconds,
          rank0Log.lines().filter(l -> l.contains("error:")).findFirst().orElse(""));
    } finally {
      ranks.forEach(Process::destroyForcibly);
    }
  }
}
