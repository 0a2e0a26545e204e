package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reduced demo: the whole workflow really learns (macro-AUC on val at least 0.9). */
class DemoRunTest {

  @Test
  void reducedDemoLearns(@TempDir Path tmp) throws Exception {
    DemoRun.Settings s = new DemoRun.Settings();
    s.workDir = tmp;
    s.images = 1500;
    s.imageSize = 40;
    s.epochs = 14;
    s.batchSize = 32;
    s.device = "cpu";
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    DemoRun.Result r = DemoRun.run(s, Runners.options("DirectRunner", List.of()),
        Runners.options("DirectRunner", List.of()), new PrintStream(buf, true));
    String out = buf.toString();
    System.out.print(out);

    assertTrue(r.report.macro.auc >= 0.9, "macro-AUC " + r.report.macro.auc);
    assertTrue(r.report.macro.f1 > r.report.baseline.macro.f1, "model must beat the frequency baseline on F1");
    assertEquals(0.5, r.report.baseline.macro.auc, 1e-9);
    assertTrue(r.training.get(r.training.size() - 1).meanLoss < r.training.get(0).meanLoss);
    assertEquals(r.dataset.records("val"), r.report.numExamples);
    assertEquals(12, Files.readAllLines(r.shardDir.resolve(EvaluatePipeline.PER_CLASS_FILE)).size() - 1);
    assertTrue(Files.exists(r.modelDir.resolve("model.pt")));
    assertTrue(out.contains("macro-AUC"), out);
    assertTrue(out.contains("stage times"), out);
  }
}
