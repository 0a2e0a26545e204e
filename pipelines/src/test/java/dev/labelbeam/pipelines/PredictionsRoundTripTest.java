package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.metrics.MultiLabelReport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * predict --full-scores writes what evaluate --predictions reads, and the round trip gives the
 * metrics of evaluating the checkpoint directly: the same examples, supports and confusion counts, and
 * AUCs equal up to the last bits of the scores (LibTorch's float sums depend on the batch composition).
 */
class PredictionsRoundTripTest {

  @Test
  void predictThenEvaluateEqualsEvaluatingTheCheckpoint(@TempDir Path tmp) throws Exception {
    Path shards = TestDatasets.preprocess(tmp, 160, 40, 12, 24, 0.3, 1);
    Path model = tmp.resolve("model");
    assertEquals(0, TestCli.run("train", "--shards", shards.toString(), "--output", model.toString(), "--epochs", "2",
        "--batch-size", "16", "--width", "4", "--torch-threads", "1", "--loader-threads", "1", "--device", "cpu",
        "--no-validate"));
    assertEquals(0, TestCli.run("evaluate", "--shards", shards.toString(), "--model", model.toString(), "--output",
        tmp.resolve("direct").toString(), "--device", "cpu", "--runner=DirectRunner"));
    assertEquals(0, TestCli.run("predict", "--model", model.toString(), "--records", shards + "/val-*.tfrecord", "--output",
        tmp.resolve("preds").toString(), "--full-scores", "--device", "cpu", "--runner=DirectRunner"));
    assertEquals(0, TestCli.run("evaluate", "--predictions", tmp.resolve("preds") + "/predictions-*.jsonl", "--labels",
        shards.resolve("labels.txt").toString(), "--output", tmp.resolve("trip").toString(), "--runner=DirectRunner"));

    MultiLabelReport direct = MultiLabelReport.fromJson(Files.readString(tmp.resolve("direct/metrics.json")));
    MultiLabelReport trip = MultiLabelReport.fromJson(Files.readString(tmp.resolve("trip/metrics.json")));
    assertTrue(direct.numExamples() > 20);
    assertEquals(direct.numExamples(), trip.numExamples());
    assertEquals(direct.numClasses(), trip.numClasses());
    for (int c = 0; c < direct.numClasses(); c++) {
      MultiLabelReport.ClassMetrics a = direct.perClass().get(c);
      MultiLabelReport.ClassMetrics b = trip.perClass().get(c);
      assertEquals(a.label(), b.label());
      assertEquals(a.support(), b.support(), a.label());
      if (a.auc() != null) {
        assertEquals(a.auc(), b.auc(), 2e-3, a.label());
      }
    }
    assertEquals(direct.macro().f1(), trip.macro().f1(), 0.02);
  }

}
