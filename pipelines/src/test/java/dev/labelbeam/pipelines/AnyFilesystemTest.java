package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.cli.LabelbeamCli;
import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.transforms.PreprocessImages;
import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.shards.ShardOptions;
import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train}, {@code evaluate} and {@code predict} read (and write) through Beam's filesystems: given as a URL of a
 * scheme that only the tests register ({@code lbtest://}, which {@code java.nio.file.Path} cannot
 * open), as a dataset on {@code gs://} would be.
 */
class AnyFilesystemTest {

  @Test
  void trainAndEvaluateReadADatasetOfAnotherScheme(@TempDir Path tmp) throws Exception {
    Path manifest = SyntheticShapes.generate(tmp.resolve("data"), 200, 48, 5);
    Path shards = tmp.resolve("shards");
    DatasetInfo info = PreprocessPipeline.run(PreprocessImages.fromManifest(manifest.toString())
        .withImageOptions(ImageOptions.defaults().withShorterSide(24))
        .withShardOptions(ShardOptions.defaults().withSplit(0.25, 0, "").withShards("train", 2).withShards("val", 1)),
        shards, Runners.options("DirectRunner", List.of()));
    String url = TestSchemeFileSystem.url(shards);
    assertFalse(Files.exists(Path.of(url)), "the scheme must not be reachable as a local path");

    Path model = tmp.resolve("model");
    int trained = LabelbeamCli.commandLine().execute("train", "--shards", url, "--output", model.toString(),
        "--epochs", "1", "--batch-size", "16", "--width", "8", "--torch-threads", "1", "--loader-threads", "1",
        "--device", "cpu");
    assertEquals(0, trained);
    assertTrue(Files.exists(model.resolve("model.pt")));
    String log = Files.readString(model.resolve("train_log.jsonl"));
    assertFalse(log.contains("\"val_macro_auc\":NaN") || log.contains("\"val_macro_auc\":null"),
        "validation read the val shard through the scheme: " + log);

    // the model folder is read through the scheme too (staged to a local folder for LibTorch)
    String modelUrl = TestSchemeFileSystem.url(model);
    Path reports = tmp.resolve("eval");
    int evaluated = LabelbeamCli.commandLine().execute("evaluate", "--shards", url, "--model", modelUrl,
        "--output", TestSchemeFileSystem.url(reports), "--device", "cpu");
    assertEquals(0, evaluated);
    MultiLabelReport r = MultiLabelReport.fromJson(Files.readString(reports.resolve(EvaluatePipeline.METRICS_FILE)));
    assertEquals(info.records("val"), r.numExamples());
    assertEquals(12, r.perClass().size());

    // predict: shards, thresholds and the output folder all on the other scheme
    Path preds = tmp.resolve("preds");
    int predicted = LabelbeamCli.commandLine().execute("predict", "--model", modelUrl,
        "--records", TestSchemeFileSystem.url(shards) + "/val-*.tfrecord",
        "--thresholds", TestSchemeFileSystem.url(reports.resolve(EvaluatePipeline.THRESHOLDS_FILE)),
        "--output", TestSchemeFileSystem.url(preds), "--device", "cpu");
    assertEquals(0, predicted);
    long lines = 0;
    try (var files = Files.list(preds)) {
      for (Path f : (Iterable<Path>) files.filter(f -> f.getFileName().toString().startsWith("predictions"))::iterator) {
        lines += Files.readAllLines(f).size();
      }
    }
    assertEquals(info.records("val"), lines);

    // train cannot write to a URL (LibTorch writes local files): refused with a message, nothing written
    java.io.StringWriter err = new java.io.StringWriter();
    int refused = LabelbeamCli.commandLine().setErr(new java.io.PrintWriter(err)).execute("train", "--shards", url,
        "--output", TestSchemeFileSystem.url(tmp.resolve("model2")), "--epochs", "1", "--device", "cpu");
    assertEquals(1, refused);
    assertTrue(err.toString().contains("--output must be a local folder"), err.toString());
    assertFalse(Files.exists(tmp.resolve("model2")));
  }
}
