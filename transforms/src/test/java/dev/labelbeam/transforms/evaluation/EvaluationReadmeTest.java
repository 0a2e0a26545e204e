package dev.labelbeam.transforms.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.shard.LabelVocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Evaluating scores in a Beam pipeline" code, run as written (paths made absolute). */
class EvaluationReadmeTest {

  @Test
  void theReadmeEvaluationWritesTheFourReportFiles(@TempDir Path tmp) throws Exception {
    Files.write(tmp.resolve("labels.txt"), List.of("cat", "dog"));
    Files.createDirectories(tmp.resolve("preds"));
    List<String> lines = new ArrayList<>();
    Random rnd = new Random(1);
    for (int i = 0; i < 50; i++) {
      boolean cat = rnd.nextBoolean();
      lines.add(String.format(Locale.ROOT, "{\"id\": \"%d\", \"labels\": [%s], \"scores\": [%.3f, %.3f]}", i,
          cat ? "\"cat\"" : "\"dog\"", cat ? 0.6 + rnd.nextDouble() * 0.4 : rnd.nextDouble() * 0.7, rnd.nextDouble()));
    }
    Files.write(tmp.resolve("preds/part-0.jsonl"), lines);
    PipelineOptions options = PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create();

    // --- the README's code, with tmp in front of its relative paths ---
    List<String> labels = LabelVocabulary.read(tmp.resolve("labels.txt")).names();
    Pipeline p = Pipeline.create(options);
    PCollectionTuple read = p.apply(ReadPredictions.from(tmp + "/preds/*.jsonl").withLabels(labels));
    read.get(ReadPredictions.SCORED)                       // or any PCollection<ScoredExample> of your own
        .apply(EvaluateMultiLabel.create().withNumClasses(labels.size()).withOptions(MetricsOptions.defaults()))
        .apply(WriteEvaluationReports.to(tmp + "/eval").withLabels(labels).withTitle("my model on val"));
    p.run().waitUntilFinish();  // eval/ holds metrics.json, per_class.csv, thresholds.json, report.html
    // --- end of the README's code ---

    for (String f : List.of("metrics.json", "per_class.csv", "thresholds.json", "report.html")) {
      assertTrue(Files.size(tmp.resolve("eval").resolve(f)) > 0, f);
    }
    MultiLabelReport r = MultiLabelReport.fromJson(Files.readString(tmp.resolve("eval/metrics.json")));
    assertEquals(50, r.numExamples());
    assertEquals("cat", r.perClass().get(0).label());
    assertTrue(r.perClass().get(0).auc() > 0.8, "cat's scores are informative: " + r.perClass().get(0).auc());
  }
}
