package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.ShardFiles;
import dev.labelbeam.shard.TfRecordReader;
import dev.labelbeam.transforms.PreprocessImages;
import dev.labelbeam.transforms.PreprocessImagesTest;
import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.shards.ShardOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The preprocess pipeline on DirectRunner and on an embedded Flink ({@code --flinkMaster=[local]}). */
class PreprocessOnRunnersTest {

  static Map<String, ImageRecord> readAll(Path dir) throws Exception {
    Map<String, ImageRecord> out = new TreeMap<>();
    for (String split : List.of("train", "val")) {
      for (Path f : ShardFiles.list(dir, split)) {
        try (TfRecordReader r = TfRecordReader.open(f)) {
          for (byte[] d = r.next(); d != null; d = r.next()) {
            ImageRecord rec = ImageRecord.parse(d);
            assertEquals(null, out.put(split + "/" + rec.id(), rec), "duplicate " + rec.id());
          }
        }
      }
    }
    return out;
  }

  @Test
  void flinkLocalWritesTheSameRecordsAsDirect(@TempDir Path tmp) throws Exception {
    Path manifest = PreprocessImagesTest.datasetWithBadInputs(tmp.resolve("data"));
    PreprocessImages t = PreprocessImages.fromManifest(manifest.toString())
        .withImageOptions(ImageOptions.defaults().withShorterSide(40))
        .withShardOptions(ShardOptions.defaults().withSplit(0.25, 0, "x").withShards("train", 2).withShards("val", 1));

    Path direct = tmp.resolve("direct");
    DatasetInfo d = PreprocessPipeline.run(t, direct, Runners.options("DirectRunner", List.of()));
    Path flink = tmp.resolve("flink");
    DatasetInfo f = PreprocessPipeline.run(t, flink,
        Runners.options("FlinkRunner", List.of("--flinkMaster=[local]", "--parallelism=2")));

    for (DatasetInfo info : List.of(d, f)) {
      long written = info.records.values().stream().mapToLong(Long::longValue).sum();
      long dead = info.deadLetters.values().stream().mapToLong(Long::longValue).sum();
      assertEquals(PreprocessImagesTest.GOOD + 5, info.inputRecords);
      assertEquals(info.inputRecords, written + dead);
      assertEquals(5, dead);
    }
    assertEquals(d.records, f.records);
    assertEquals(d.deadLetters, f.deadLetters);
    assertTrue(java.util.Arrays.equals(d.positiveCounts("train"), f.positiveCounts("train")));
    Map<String, ImageRecord> a = readAll(direct);
    Map<String, ImageRecord> b = readAll(flink);
    assertEquals(PreprocessImagesTest.GOOD, a.size());
    assertEquals(a.keySet(), b.keySet());
    for (String id : a.keySet()) {
      assertEquals(a.get(id), b.get(id), "record " + id + " differs between runners");
    }
  }

  /**
   * Inputs as users have them (issue 28), the same dataset on both runners: the generator's manifest as
   * Python's csv writes it with QUOTE_ALL, one image renamed {@code a,b.jpg}, two images named again by
   * other spellings; and an image-folder tree with a link back up to its root.
   */
  @Test
  void usersCsvAndLinkedFoldersGiveTheSameDatasetOnBothRunners(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    Path plain = dev.labelbeam.transforms.synthetic.SyntheticShapes.generate(data, 30, 32, 4);
    List<String> lines = java.nio.file.Files.readAllLines(plain);
    java.nio.file.Files.move(data.resolve("images/000000.jpg"), data.resolve("images/a,b.jpg"));
    List<String> quoted = new java.util.ArrayList<>(List.of("\"path\",\"labels\""));
    java.util.Set<String> labels = new java.util.TreeSet<>();
    for (String l : lines.subList(1, lines.size())) {
      String[] f = l.split(",");
      java.util.Collections.addAll(labels, f[1].split("\\|"));
      quoted.add("\"" + f[0].replace("000000.jpg", "a,b.jpg") + "\",\"" + f[1] + "\"");
    }
    String[] second = lines.get(2).split(",");
    quoted.add("\"./" + second[0] + "\",\"" + second[1] + "\"");
    quoted.add("\"" + data.resolve(second[0]).toAbsolutePath() + "\",\"" + second[1] + "\"");
    Path manifest = java.nio.file.Files.write(data.resolve("quoted.csv"), quoted);

    Path root = tmp.resolve("tree");
    for (String cls : List.of("cat", "dog")) {
      java.nio.file.Files.createDirectories(root.resolve(cls));
      for (int i = 1; i <= 5; i++) {
        java.nio.file.Files.copy(data.resolve(String.format("images/%06d.jpg", i)), root.resolve(cls + "/" + i + ".jpg"));
      }
    }
    java.nio.file.Files.createSymbolicLink(root.resolve("cat/up"), Path.of(".."));

    for (String runner : List.of("DirectRunner", "FlinkRunner")) {
      List<String> args = runner.equals("FlinkRunner") ? List.of("--parallelism=2") : List.of();
      Path out = tmp.resolve("csv-" + runner);
      DatasetInfo info = PreprocessPipeline.run(PreprocessImages.fromManifest(manifest.toString())
          .withImageOptions(ImageOptions.defaults().withShorterSide(16))
          .withShardOptions(ShardOptions.defaults().withSplit(0.25, 0, "x")), out, Runners.options(runner, args));
      assertEquals(30, info.records.values().stream().mapToLong(Long::longValue).sum(), runner);
      assertEquals(Map.of("duplicate_id", 2L), info.deadLetters, runner);
      assertEquals(List.copyOf(labels), dev.labelbeam.shard.LabelVocabulary.read(out.resolve("labels.txt")).names(),
          runner + ": no quote in a label name");
      assertTrue(readAll(out).keySet().stream().anyMatch(k -> k.endsWith("/images/a,b.jpg")), runner);

      // a JSON Lines manifest with a misspelt labels key on some lines: those are dead letters, not unlabelled images
      List<String> jsonl = new java.util.ArrayList<>();
      for (int i = 1; i <= 10; i++) {
        jsonl.add(String.format("{\"image\": \"images/%06d.jpg\", \"%s\": [\"red_circle\"]}", i, i <= 2 ? "label" : "labels"));
      }
      Path misspelt = java.nio.file.Files.write(data.resolve("misspelt-" + runner + ".jsonl"), jsonl);
      DatasetInfo m = PreprocessPipeline.run(PreprocessImages.fromManifest(misspelt.toString())
          .withImageOptions(ImageOptions.defaults().withShorterSide(16)).withMaxBadFraction(0.5)
          .withShardOptions(ShardOptions.defaults().withSplit(0, 0, "")), tmp.resolve("jsonl-" + runner),
          Runners.options(runner, args));
      assertEquals(Map.of("bad_manifest_line", 2L), m.deadLetters, runner);
      assertEquals(8L, m.records.get("train"), runner);

      // more fixed shards than records: named by the shards written, on both runners
      DatasetInfo many = PreprocessPipeline.run(PreprocessImages.fromManifest(plain.toString())
          .withImageOptions(ImageOptions.defaults().withShorterSide(16))
          .withShardOptions(ShardOptions.defaults().withSplit(0, 0, "").withShards("train", 50)),
          tmp.resolve("many-" + runner), Runners.options(runner, args));
      List<String> names = many.shards.get("train");
      assertTrue(names.size() <= 29, runner + ": " + names);
      for (int i = 0; i < names.size(); i++) {
        assertTrue(names.get(i).endsWith(String.format("-%05d-of-%05d.tfrecord", i, names.size())), names.get(i));
      }

      Path tree = tmp.resolve("tree-" + runner);
      DatasetInfo t = PreprocessPipeline.run(PreprocessImages.fromImageFolder(root.toString())
          .withImageOptions(ImageOptions.defaults().withShorterSide(16))
          .withShardOptions(ShardOptions.defaults().withSplit(0.25, 0, "x")), tree, Runners.options(runner, args));
      assertEquals(10, t.records.values().stream().mapToLong(Long::longValue).sum(), runner + ": the link adds nothing");
      assertEquals(List.of("cat", "dog"), dev.labelbeam.shard.LabelVocabulary.read(tree.resolve("labels.txt")).names());
    }
  }
}
