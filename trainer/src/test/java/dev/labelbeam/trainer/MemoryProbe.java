package dev.labelbeam.trainer;

import dev.labelbeam.trainer.distributed.WorkerEnv;
import dev.labelbeam.trainer.train.TrainOptions;
import dev.labelbeam.trainer.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Trains a tiny model for 2,000 steps and prints the process's resident memory every 100 steps, one
 * number (bytes) a line. Run in a JVM of its own with a fixed, pre-touched heap, so that what grows
 * is native memory ({@link ResumeAndMemoryTest}).
 */
public final class MemoryProbe {
  private MemoryProbe() {}

  static long rss() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS");
  }

  public static void main(String[] args) throws Exception {
    TrainOptions c = ResumeAndMemoryTest.config(Path.of(args[0]), Path.of(args[1]))
        .width(4).batchSize(8).epochs(200).maxSteps(2000).checkpointEvery(0).logEvery(100).validate(false).build();
    new Trainer(c, WorkerEnv.single(), line -> {
      if (line.startsWith("  step")) {
        try {
          System.out.println("rss " + rss());
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }).run();
  }
}
