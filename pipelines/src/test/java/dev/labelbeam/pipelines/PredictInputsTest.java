package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labelbeam.trainer.TorchRuntime;
import dev.labelbeam.trainer.model.Checkpoints;
import dev.labelbeam.trainer.model.ModelSpec;
import java.awt.image.BufferedImage;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict} as a new user runs it, each case of which once gave a wrong answer with exit code 0:
 * a transparent PNG scored as the colour hidden under its transparency (preprocess composites it on
 * white); a folder given without a glob gave "0 predictions"; a used output folder mixed two runs'
 * files under one glob; records without their labels.txt had their true labels named by the model's.
 */
class PredictInputsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SIZE = 32;

  /** A 48x48 PNG: a blue square on red; {@code transparent}: the red is fully transparent. */
  private static void png(Path file, boolean transparent) throws Exception {
    BufferedImage img = new BufferedImage(48, 48, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < 48; y++) {
      for (int x = 0; x < 48; x++) {
        boolean square = x >= 16 && x < 32 && y >= 16 && y < 32;
        img.setRGB(x, y, square ? 0xFF0000FF : transparent ? 0x00FF0000 : 0xFFFF0000);
      }
    }
    ImageIO.write(img, "png", file.toFile());
  }

  /** File name → scores of every predictions file in {@code dir}. */
  private static Map<String, List<Double>> scores(Path dir) throws Exception {
    Map<String, List<Double>> m = new HashMap<>();
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files.filter(f -> f.getFileName().toString().startsWith("predictions"))::iterator) {
        for (String line : Files.readAllLines(f)) {
          JsonNode n = JSON.readTree(line);
          String id = n.get("id").asText();
          m.put(id.substring(id.lastIndexOf('/') + 1), JSON.convertValue(n.get("scores"),
              JSON.getTypeFactory().constructCollectionType(List.class, Double.class)));
        }
      }
    }
    return m;
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"DirectRunner", "FlinkRunner"})
  void imageFilesScoreAsTheirPreprocessedRecordsDo(String runner, @TempDir Path tmp) throws Exception {
    Path images = Files.createDirectories(tmp.resolve("images"));
    png(images.resolve("transparent.png"), true);
    png(images.resolve("opaque.png"), false);
    Path manifest = tmp.resolve("manifest.csv");
    Files.writeString(manifest, "path,labels\nimages/transparent.png,square\nimages/opaque.png,square|red\n");
    Path shards = tmp.resolve("shards");
    assertEquals(0, TestCli.run("preprocess", "--manifest", manifest.toString(), "--output", shards.toString(),
        "--resize", "shorter:" + SIZE, "--val-fraction", "0", "--runner", runner));
    TorchRuntime.load();
    ModelSpec spec = ModelSpec.smallCnn(List.of("red", "square"), 4, SIZE);
    Path model = tmp.resolve("model");
    Checkpoints.save(spec.build(), spec, model); // untrained: only what the model sees is under test

    // a folder without a glob: every image in it
    Path fromFiles = tmp.resolve("from-files");
    assertEquals(0, TestCli.run("predict", "--model", model.toString(), "--images", images.toString(),
        "--output", fromFiles.toString(), "--full-scores", "--device", "cpu", "--runner", runner));
    Path fromRecords = tmp.resolve("from-records");
    assertEquals(0, TestCli.run("predict", "--model", model.toString(), "--records", shards + "/train-*.tfrecord",
        "--output", fromRecords.toString(), "--full-scores", "--device", "cpu", "--runner", runner));
    Map<String, List<Double>> files = scores(fromFiles);
    Map<String, List<Double>> records = scores(fromRecords);
    assertEquals(2, files.size(), files.toString());
    for (String name : List.of("transparent.png", "opaque.png")) {
      for (int c = 0; c < 2; c++) {
        assertEquals(records.get(name).get(c), files.get(name).get(c), 1e-6, name + ": the file scores as its record");
      }
    }
    assertFalse(files.get("transparent.png").equals(files.get("opaque.png")),
        "the colour under the transparency is not seen: " + files);

    // a used output folder is refused, and nothing of the earlier run is touched
    StringWriter err = new StringWriter();
    assertEquals(1, TestCli.run(err, "predict", "--model", model.toString(), "--images", images + "/*.png",
        "--output", fromFiles.toString(), "--device", "cpu", "--runner", runner));
    assertTrue(err.toString().contains("already holds the output of an earlier predict run"), err.toString());
    assertEquals(files, scores(fromFiles));

    // --full-scores on records without their labels.txt: the true labels cannot be named
    Path bare = Files.createDirectories(tmp.resolve("bare"));
    try (var s = Files.list(shards)) {
      for (Path f : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".tfrecord"))::iterator) {
        Files.copy(f, bare.resolve(f.getFileName()));
      }
    }
    StringWriter err2 = new StringWriter();
    assertEquals(1, TestCli.run(err2, "predict", "--model", model.toString(), "--records", bare + "/*.tfrecord",
        "--output", tmp.resolve("p3").toString(), "--full-scores", "--device", "cpu", "--runner", runner));
    assertTrue(err2.toString().contains("no labels.txt beside"), err2.toString());
  }
}
