package dev.labelbeam.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.trainer.inference.Predictor;
import dev.labelbeam.trainer.train.EpochReport;
import dev.labelbeam.trainer.train.TrainConfig;
import dev.labelbeam.trainer.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

  @Test
  void lossFallsAndCheckpointScores(@TempDir Path tmp) throws Exception {
    Path shards = TestShards.write(tmp, 384, 32, 3, 11);
    TrainConfig c = new TrainConfig();
    c.shardDir = shards;
    c.outputDir = tmp.resolve("model");
    c.epochs = 4;
    c.batchSize = 32;
    c.warmupSteps = 5;
    c.loaderThreads = 2;
    c.device = "cpu";
    List<String> lines = new ArrayList<>();
    List<EpochReport> reports = new Trainer(c, lines::add).run();
    lines.forEach(System.out::println);

    assertEquals(4, reports.size());
    assertEquals(4, lines.size());
    assertTrue(lines.get(0).contains("images/s"), lines.get(0));
    double first = reports.get(0).meanLoss;
    double last = reports.get(3).meanLoss;
    assertTrue(last < first * 0.9, "loss should fall: " + first + " -> " + last);
    assertEquals(4, Files.readAllLines(c.outputDir.resolve("train_log.jsonl")).size());

    try (Predictor p = Predictor.load(c.outputDir, "auto")) {
      byte[] img = Files.readAllBytes(tmp.resolve("raw/images/000000.jpg"));
      float[][] s = p.predict(List.of(img, img));
      assertEquals(12, s[0].length);
      for (int k = 0; k < 12; k++) {
        assertTrue(s[0][k] >= 0 && s[0][k] <= 1);
        assertEquals(s[0][k], s[1][k], 1e-6);
      }
    }
  }

  @Test
  void cpuIsChosenWhenCudaIsAbsent() {
    TorchRuntime.load();
    String picked = TorchRuntime.describe(TorchRuntime.device("auto"));
    assertEquals(TorchRuntime.cudaAvailable() ? "cuda" : "cpu", picked);
    assertFalse(TorchRuntime.describe(TorchRuntime.device("cpu")).equals("cuda"));
  }
}
