package dev.labelbeam.trainer;

import dev.labelbeam.trainer.train.TrainConfig;
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
    TrainConfig c = ResumeAndMemoryTest.config(Path.of(args[0]), Path.of(args[1]));
    c.width = 4;
    c.batchSize = 8;
    c.epochs = 200;
    c.maxSteps = 2000;
    c.checkpointEvery = 0;
    c.logEvery = 100;
    c.validate = false;
    new Trainer(c, line -> {
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
