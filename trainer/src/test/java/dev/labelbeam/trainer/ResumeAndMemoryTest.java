package dev.labelbeam.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.trainer.distributed.WorkerEnv;
import dev.labelbeam.trainer.train.EpochReport;
import dev.labelbeam.trainer.train.TrainCheckpoint;
import dev.labelbeam.trainer.train.TrainOptions;
import dev.labelbeam.trainer.train.Trainer;
import dev.labelbeam.trainer.weights.Safetensors;
import dev.labelbeam.transforms.synthetic.SyntheticShards;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An interrupted run resumes to the weights of an uninterrupted one; native memory stays flat. */
class ResumeAndMemoryTest {

  static TrainOptions.Builder config(Path shards, Path out) {
    return TrainOptions.builder(shards, out).epochs(2).batchSize(32).warmupSteps(3).loaderThreads(2).torchThreads(1)
        .device(DeviceChoice.CPU).seed(7).checkpointEvery(3).keepCheckpoints(2)
        .optimizer(TrainOptions.OptimizerKind.SGD).gradClip(5);
  }

  /** What a kill after the given step looks like to the trainer. */
  static final class Killed extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  @Test
  void interruptedRunResumesToTheSameWeights(@TempDir Path tmp) throws Exception {
    Path shards = SyntheticShards.write(tmp, 256, 32, 2, 0, 3);
    List<EpochReport> full = new Trainer(config(shards, tmp.resolve("a")).build(), WorkerEnv.single(), s -> {}).run();
    assertEquals(16, full.get(1).globalStep);

    TrainOptions b = config(shards, tmp.resolve("b")).build();
    assertThrows(Killed.class, () -> new Trainer(b, WorkerEnv.single(), s -> {}).onStep(step -> {
      if (step == 7) {
        throw new Killed();
      }
    }).run());
    List<Path> cps = TrainCheckpoint.list(tmp.resolve("b"));
    assertEquals(2, cps.size(), "keeps the last 2 checkpoints");
    assertTrue(cps.get(1).getFileName().toString().endsWith("000000006"), cps.toString());
    assertTrue(Files.list(tmp.resolve("b/checkpoints")).noneMatch(p -> p.toString().endsWith(".tmp")));

    TrainOptions resume = config(shards, tmp.resolve("b")).resume(true).build();
    List<String> lines = new ArrayList<>();
    new Trainer(resume, WorkerEnv.single(), lines::add).run();
    assertTrue(lines.get(0).startsWith("resuming at step 6"), lines.get(0));

    Map<String, Safetensors.Entry> wa = Safetensors.read(tmp.resolve("a/model.safetensors"));
    Map<String, Safetensors.Entry> wb = Safetensors.read(tmp.resolve("b/model.safetensors"));
    assertEquals(wa.keySet(), wb.keySet());
    for (String k : wa.keySet()) {
      if (wa.get(k).floats != null) {
        assertArrayEquals(wa.get(k).floats, wb.get(k).floats, 1e-6f, k);
      } else {
        assertArrayEquals(wa.get(k).longs, wb.get(k).longs, k);
      }
    }
    assertEquals(2, Files.readAllLines(tmp.resolve("b/train_log.jsonl")).size());
  }

  @Test
  void aRunStoppedByMaxStepsResumesInsideItsEpochToTheSameWeights(@TempDir Path tmp) throws Exception {
    Path shards = SyntheticShards.write(tmp, 256, 32, 2, 0, 3);
    new Trainer(config(shards, tmp.resolve("a")).build(), WorkerEnv.single(), s -> {}).run();
    // 8 steps an epoch: stop at batch 5 of epoch 1, then go on to the end
    List<EpochReport> part = new Trainer(config(shards, tmp.resolve("b")).maxSteps(5).build(), WorkerEnv.single(),
        s -> {}).run();
    assertEquals(5, part.get(part.size() - 1).globalStep);
    TrainCheckpoint.State st = TrainCheckpoint.latestState(tmp.resolve("b"));
    assertEquals(1, st.epoch, "still in epoch 1");
    assertEquals(5, st.batchesDone, "at batch 5");
    List<String> lines = new ArrayList<>();
    new Trainer(config(shards, tmp.resolve("b")).resume(true).build(), WorkerEnv.single(), lines::add).run();
    assertTrue(lines.get(0).startsWith("resuming at step 5 (epoch 1, batch 5)"), lines.get(0));
    Map<String, Safetensors.Entry> wa = Safetensors.read(tmp.resolve("a/model.safetensors"));
    Map<String, Safetensors.Entry> wb = Safetensors.read(tmp.resolve("b/model.safetensors"));
    for (String k : wa.keySet()) {
      if (wa.get(k).floats != null) {
        assertArrayEquals(wa.get(k).floats, wb.get(k).floats, 1e-6f, k);
      }
    }
  }

  @Test
  void nativeMemoryStaysFlatOver2000Steps(@TempDir Path tmp) throws Exception {
    Path shards = SyntheticShards.write(tmp, 128, 16, 1, 0, 5);
    // a JVM of its own with a fixed, pre-touched heap: what the resident size gains is native memory
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms384m", "-Xmx384m",
        "-XX:+AlwaysPreTouch", "-cp", System.getProperty("java.class.path"), MemoryProbe.class.getName(),
        shards.toString(), tmp.resolve("m").toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<Long> samples = new ArrayList<>();
    StringBuilder log = new StringBuilder();
    try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        log.append(line).append('\n');
        if (line.startsWith("rss ")) {
          samples.add(Long.parseLong(line.substring(4)));
        }
      }
    }
    assertEquals(0, p.waitFor(), log.toString());
    assertEquals(20, samples.size(), log.toString());
    long growth = samples.get(19) - samples.get(3);
    System.out.println("resident MB every 100 steps: " + samples.stream().map(v -> String.format("%.0f", v / 1e6)).toList());
    System.out.printf("resident memory after steps 400 and 2000: %.1f MB, %.1f MB (growth %.1f MB)%n",
        samples.get(3) / 1e6, samples.get(19) / 1e6, growth / 1e6);
    assertTrue(growth < 40_000_000L, "resident memory grew by " + growth / 1e6 + " MB over 1600 steps");
  }
}
