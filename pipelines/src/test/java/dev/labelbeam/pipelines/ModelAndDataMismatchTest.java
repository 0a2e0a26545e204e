package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.trainer.TorchRuntime;
import dev.labelbeam.trainer.model.Checkpoints;
import dev.labelbeam.trainer.model.ModelSpec;
import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model and data that do not belong together are refused with the first differing label, where
 * evaluate once printed a macro-AUC of 0.47 for a model of reordered labels (correct: 0.73) and exited 0,
 * and --resume continued a checkpoint on another dataset.
 */
class ModelAndDataMismatchTest {
  @TempDir static Path tmp;
  static Path shards;

  @BeforeAll
  static void preprocess() throws Exception {
    shards = TestDatasets.preprocess(tmp, 80, 32, 4, 16, 0.25, 1);
  }


  @Test
  void evaluateAndPredictRefuseAModelOfReorderedLabels() throws Exception {
    TorchRuntime.load();
    List<String> reordered = new ArrayList<>(SyntheticShapes.labels());
    Collections.swap(reordered, 2, 5);
    ModelSpec spec = ModelSpec.smallCnn(reordered, 4, 16);
    Path model = tmp.resolve("reordered");
    Checkpoints.save(spec.build(), spec, model);

    StringWriter err = new StringWriter();
    assertEquals(1, TestCli.run(err, "evaluate", "--shards", shards.toString(), "--model", model.toString(),
        "--output", tmp.resolve("eval").toString(), "--device", "cpu", "--runner=DirectRunner"));
    assertTrue(err.toString().contains("in another order") && err.toString().contains("class 2"), err.toString());
    assertFalse(Files.exists(tmp.resolve("eval").resolve(EvaluatePipeline.METRICS_FILE)));

    err = new StringWriter();
    assertEquals(1, TestCli.run(err, "predict", "--model", model.toString(), "--records", shards + "/val-*.tfrecord",
        "--output", tmp.resolve("pred").toString(), "--device", "cpu", "--runner=DirectRunner"));
    assertTrue(err.toString().contains("in another order"), err.toString());

    // as --init, its classifier (as many classes as the data) would be kept for other labels: refused
    dev.labelbeam.trainer.weights.StateDicts.save(spec.build(), model.resolve("model.safetensors"), java.util.Map.of());
    err = new StringWriter();
    assertEquals(1, TestCli.run(err, "train", "--shards", shards.toString(), "--output", tmp.resolve("fine").toString(),
        "--init", model.resolve("model.safetensors").toString(), "--width", "4", "--epochs", "1", "--device", "cpu"));
    assertTrue(err.toString().contains("in another order") && err.toString().contains("classifier would be kept"),
        err.toString());
  }

  @Test
  void resumeRefusesACheckpointOfAnotherDataset() throws Exception {
    Path model = tmp.resolve("run");
    String[] common = {"--output", model.toString(), "--epochs", "2", "--batch-size", "8", "--width", "4",
        "--max-steps", "2", "--checkpoint-every", "1", "--no-validate", "--device", "cpu", "--torch-threads", "1",
        "--loader-threads", "1"};
    List<String> first = new ArrayList<>(List.of("train", "--shards", shards.toString()));
    first.addAll(List.of(common));
    assertEquals(0, TestCli.run(new StringWriter(), first.toArray(new String[0])));

    Path other = tmp.resolve("other-shards"); // the same shards, another dataset.json
    Files.createDirectories(other);
    try (var files = Files.list(shards)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f)) {
          Files.copy(f, other.resolve(f.getFileName()));
        }
      }
    }
    DatasetInfo info = DatasetInfo.read(other.resolve(DatasetInfo.FILE_NAME));
    info.options.put("note", "another run");
    info.write(other.resolve(DatasetInfo.FILE_NAME));
    List<String> resume = new ArrayList<>(List.of("train", "--shards", other.toString(), "--resume"));
    resume.addAll(List.of(common));
    StringWriter err = new StringWriter();
    assertEquals(1, TestCli.run(err, resume.toArray(new String[0])));
    assertTrue(err.toString().contains("trained on another dataset"), err.toString());
  }
}
