package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.Thresholds;
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
    DemoRun.Options s = DemoRun.Options.defaults().withWorkDir(tmp).withImages(1500).withImageSize(40).withEpochs(14)
        .withBatchSize(32).withDevice(dev.labelbeam.trainer.DeviceChoice.CPU);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    DemoRun.Result r = DemoRun.run(s, Runners.options("DirectRunner", List.of()), new PrintStream(buf, true));
    String out = buf.toString();
    System.out.print(out);

    assertTrue(r.report.macro().auc() >= 0.9, "macro-AUC " + r.report.macro().auc());
    assertTrue(r.report.macro().f1() > r.report.baseline().macro().f1(), "model must beat the frequency baseline on F1");
    assertEquals(0.5, r.report.baseline().macro().auc(), 1e-9);
    assertTrue(r.training.get(r.training.size() - 1).meanLoss < r.training.get(0).meanLoss);
    // the figures come from test, at the thresholds tuned on val
    assertEquals(r.dataset.records("test"), r.report.numExamples());
    assertEquals(r.dataset.records("val"), r.valReport.numExamples());
    assertTrue(r.report.thresholdsFrom().endsWith(EvaluatePipeline.THRESHOLDS_FILE), r.report.thresholdsFrom());
    List<Double> tunedOnVal = Thresholds.fromJson(Files.readString(r.shardDir.resolve(EvaluatePipeline.THRESHOLDS_FILE))).thresholds;
    for (int c = 0; c < 12; c++) {
      assertEquals(tunedOnVal.get(c), r.report.perClass().get(c).threshold(), 1e-12, "class " + c);
    }
    assertTrue(Files.exists(r.testDir.resolve(EvaluatePipeline.REPORT_FILE)));
    assertEquals(12, Files.readAllLines(r.shardDir.resolve(EvaluatePipeline.PER_CLASS_FILE)).size() - 1);
    assertTrue(Files.exists(r.modelDir.resolve("model.pt")));
    assertTrue(out.contains("macro-AUC"), out);
    assertTrue(out.contains("stage times"), out);

    // the report: self-contained HTML with four charts, thresholds for predict
    String html = Files.readString(r.shardDir.resolve(EvaluatePipeline.REPORT_FILE));
    assertEquals(4, html.split("data:image/png;base64,", -1).length - 1);
    assertFalse(html.contains("http://") || html.contains("https://") || html.contains("<script src"), "must open offline");
    Thresholds t = Thresholds.fromJson(Files.readString(r.shardDir.resolve(EvaluatePipeline.THRESHOLDS_FILE)));
    assertEquals(12, t.thresholds.size());
    assertEquals("binned", r.report.mode());
    assertTrue(out.contains("thresholds tuned on val"), out);
    assertTrue(r.report.macro().ap() > r.report.baseline().macro().ap());

    // the val evaluation again in exact mode: F1 identical, AUC within the binned mode's own bound
    EvaluateModel es = EvaluateModel.on(r.shardDir.toString()).withOutputDir(tmp.resolve("exact").toString())
        .withMetrics(MetricsOptions.defaults().withMode(MetricsOptions.Mode.EXACT))
        .withScoring(ScoringOptions.defaults().withDevice(dev.labelbeam.trainer.DeviceChoice.CPU));
    MultiLabelReport exact = EvaluatePipeline.run(r.modelDir.toString(), es, Runners.options("DirectRunner", List.of()));
    assertEquals("exact", exact.mode());
    for (int c = 0; c < 12; c++) {
      MultiLabelReport.ClassMetrics b = r.valReport.perClass().get(c); // val, at 0.5, as this run
      MultiLabelReport.ClassMetrics e = exact.perClass().get(c);
      assertEquals(e.f1(), b.f1(), 0.0);
      assertTrue(Math.abs(e.auc() - b.auc()) <= b.aucErrorBound() + 1e-9, "class " + c);
    }

    // predict on image files, one of them not an image: every input is a prediction or a dead letter
    Files.writeString(tmp.resolve("data/images/zz_not_an_image.jpg"), "not a jpeg");
    PredictPipeline.Job ps = PredictPipeline.Job.onImages(r.modelDir.toString(), tmp.resolve("data/images/0000*.jpg").toString(),
            tmp.resolve("pred").toString())
        .withThresholdsFile(r.shardDir.resolve(EvaluatePipeline.THRESHOLDS_FILE).toString()).withTopK(3)
        .withScoring(ScoringOptions.defaults().withDevice(dev.labelbeam.trainer.DeviceChoice.CPU));
    assertEquals(100, PredictPipeline.run(ps, Runners.options("DirectRunner", List.of())));
    ps = new PredictPipeline.Job(ps.modelDir(), null, tmp.resolve("data/images/*.jpg").toString(), tmp.resolve("pred-all").toString(),
        ps.thresholdsFile(), ps.threshold(), ps.topK(), ps.scoring(), false);
    long predicted = PredictPipeline.run(ps, Runners.options("DirectRunner", List.of()));
    assertEquals(s.images(), predicted);
    List<String> dead = Files.readAllLines(Path.of(ps.outputDir()).resolve(PredictPipeline.DEAD_LETTER_FILE));
    assertEquals(1, dead.size());
    assertTrue(dead.get(0).contains("zz_not_an_image.jpg") && dead.get(0).contains("decode_failed"), dead.get(0));
    ObjectMapper json = new ObjectMapper();
    try (var files = Files.list(tmp.resolve("pred"))) {
      for (Path f : (Iterable<Path>) files.filter(f -> f.getFileName().toString().startsWith("predictions"))::iterator) {
        for (String line : Files.readAllLines(f)) {
          JsonNode n = json.readTree(line);
          assertEquals(3, n.get("top").size());
          double topScore = n.get("top").get(0).get("score").asDouble();
          assertTrue(topScore >= n.get("top").get(1).get("score").asDouble());
          String topLabel = n.get("top").get(0).get("label").asText();
          boolean listed = false;
          for (JsonNode l : n.get("labels")) {
            listed |= l.asText().equals(topLabel);
          }
          assertEquals(topScore >= t.thresholds.get(t.labels.indexOf(topLabel)), listed, line);
        }
      }
    }

    // model against model: a 1-epoch model on the same data, evaluated on the same split, loses on most classes
    // to the demo's 14-epoch one
    Path weak = tmp.resolve("weak");
    assertEquals(0, TestCli.run("train", "--shards", r.shardDir.toString(), "--output", weak.toString(), "--epochs", "1",
        "--batch-size", "32", "--crop-scale-min", "1", "--device", "cpu", "--no-validate"));
    assertEquals(0, TestCli.run("evaluate", "--shards", r.shardDir.toString(), "--model", weak.toString(), "--output",
        tmp.resolve("weak-eval").toString(), "--device", "cpu", "--runner=DirectRunner"));
    assertEquals(0, TestCli.run("compare", tmp.resolve("weak-eval").toString(), r.shardDir.toString(), "--output",
        tmp.resolve("cmp").toString()));
    JsonNode cmp = json.readTree(tmp.resolve("cmp/compare.json").toFile());
    assertTrue(cmp.get("better").asInt() > 6 && cmp.get("better").asInt() > 2 * cmp.get("worse").asInt(),
        "the 14-epoch model must be better on most of the 12 classes: " + cmp.toString().substring(0, 300));
    assertTrue(cmp.get("method").asText().contains("binned"), cmp.get("method").asText());
    // both exact (scores.jsonl kept): a paired bootstrap over the val examples decides
    assertEquals(0, TestCli.run("evaluate", "--shards", r.shardDir.toString(), "--model", weak.toString(), "--output",
        tmp.resolve("weak-exact").toString(), "--device", "cpu", "--mode", "exact", "--runner=DirectRunner"));
    assertEquals(r.dataset.records("val"), Files.readAllLines(tmp.resolve("weak-exact/scores.jsonl")).size());
    assertEquals(0, TestCli.run("compare", tmp.resolve("weak-exact").toString(), tmp.resolve("exact").toString(),
        "--output", tmp.resolve("cmp-exact").toString(), "--resamples", "300"));
    JsonNode boot = json.readTree(tmp.resolve("cmp-exact/compare.json").toFile());
    assertTrue(boot.get("method").asText().contains("bootstrap"), boot.get("method").asText());
    assertTrue(boot.get("better").asInt() > 6 && boot.get("worse").asInt() == 0, boot.toString().substring(0, 300));
    assertTrue(boot.get("perClass").get(0).get("aucDeltaLow").isNumber());
  }
}
