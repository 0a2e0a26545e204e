package dev.labelbeam.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.LabelBits;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.images.TestImages;
import dev.labelbeam.transforms.shards.ShardOptions;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Inputs as users have them, each of which once gave a wrong dataset with exit code 0: CSV written by
 * Python's {@code csv} in every quoting mode, a spreadsheet and pandas (quotes became parts of label
 * names: 41 classes instead of 12); image-folder trees with symbolic links (a link to the parent made
 * 820 records of 20 images, two links never finished); one image under several spellings in one
 * manifest (train/val leakage); a JSON Lines manifest with a misspelt labels key (every image
 * unlabelled); a labels.txt entry with a trailing space (its images dead-lettered).
 */
class UsersInputsTest {
  private static final ImageOptions SIDE16 = ImageOptions.defaults().withShorterSide(16);

  /** What every fixture of make_csv_fixtures.py holds: id → labels. */
  private static final Map<String, List<String>> ROWS = new TreeMap<>(Map.of(
      "images/000000.jpg", List.of("red_circle", "blue_square"),
      "images/a,b.jpg", List.of("green_square", "blue_triangle", "red_circle"),
      "images/x|y.jpg", List.of("red_circle"),
      "images/000003.jpg", List.of("the \"odd\" one", "blue_square"),
      "images/000004.jpg", List.of(),
      "images/ spaced name.jpg", List.of("blue_square")));

  private static DatasetInfo run(PreprocessImages t, Path out) throws Exception {
    return PreprocessInputsTest.runInto(t.withImageOptions(SIDE16)
        .withShardOptions(ShardOptions.defaults().withSplit(0, 0, "")), out);
  }

  /** id → label names of every record written. */
  private static Map<String, List<String>> labelsById(Path out, DatasetInfo info) throws Exception {
    LabelVocabulary v = LabelVocabulary.read(out.resolve(LabelVocabulary.FILE_NAME));
    Map<String, List<String>> m = new TreeMap<>();
    for (ImageRecord r : PreprocessInputsTest.records(out, info).values()) {
      List<String> names = new ArrayList<>();
      for (int c : LabelBits.unpack(r.labelBits(), v.size())) {
        names.add(v.name(c));
      }
      m.put(r.id(), names);
    }
    return m;
  }

  private static Map<String, List<String>> sorted(Map<String, List<String>> m) {
    Map<String, List<String>> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, new ArrayList<>(new TreeSet<>(v))));
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"minimal.csv", "all.csv", "nonnumeric.csv", "spreadsheet.csv", "pandas_index.csv"})
  void csvAsToolsWriteItIsTheSameDataset(String fixture, @TempDir Path tmp) throws Exception {
    Path images = Files.createDirectories(tmp.resolve("images"));
    for (String id : ROWS.keySet()) {
      Files.write(tmp.resolve(id), TestImages.jpeg(32, 32));
    }
    Path manifest = tmp.resolve(fixture);
    try (InputStream in = UsersInputsTest.class.getResourceAsStream("/csv/" + fixture)) {
      Files.copy(in, manifest);
    }
    assertTrue(Files.isDirectory(images));
    DatasetInfo info = run(PreprocessImages.fromManifest(manifest.toString()), tmp.resolve("out"));
    assertEquals(Map.of(), info.deadLetters, fixture);
    assertEquals(sorted(ROWS), sorted(labelsById(tmp.resolve("out"), info)), fixture);
    assertEquals(new TreeSet<>(List.of("red_circle", "blue_square", "green_square", "blue_triangle",
        "the \"odd\" one")), new TreeSet<>(LabelVocabulary.read(tmp.resolve("out").resolve("labels.txt")).names()),
        "no quote became part of a label name");
  }

  @Test
  void aQuotedFieldSpanningLinesIsDeadLetteredNotSplitIntoRecords(@TempDir Path tmp) throws Exception {
    Files.createDirectories(tmp.resolve("images"));
    Files.write(tmp.resolve("images/a.jpg"), TestImages.jpeg(32, 32));
    Files.write(tmp.resolve("images/b.jpg"), TestImages.jpeg(32, 32));
    Path manifest = tmp.resolve("m.csv");
    Files.writeString(manifest, "path,labels\nimages/a.jpg,cat\n\"images/b.jpg\",\"dog\ncat\"\n");
    DatasetInfo info = run(PreprocessImages.fromManifest(manifest.toString()).withMaxBadFraction(1.0),
        tmp.resolve("out"));
    assertEquals(Map.of("images/a.jpg", List.of("cat")), labelsById(tmp.resolve("out"), info));
    assertEquals(Map.of("bad_manifest_line", 2L), info.deadLetters);
    String dead = Files.readString(tmp.resolve("out").resolve(PreprocessImages.DEAD_LETTER_FILE));
    assertTrue(dead.contains("unbalanced quotes") && dead.contains("images/b.jpg"), dead);
  }

  /** 20 images under cat/ and dog/, and the given links. */
  private static Path tree(Path tmp) throws Exception {
    Path root = tmp.resolve("root");
    for (String cls : List.of("cat", "dog")) {
      Files.createDirectories(root.resolve(cls));
      for (int i = 0; i < 10; i++) {
        Files.write(root.resolve(cls + "/" + i + ".jpg"), TestImages.jpeg(32, 32));
      }
    }
    return root;
  }

  @Test
  void linksInAnImageFolderAreWalkedOnceAndNeverLoop(@TempDir Path tmp) throws Exception {
    Path root = tree(tmp);
    Files.createSymbolicLink(root.resolve("cat/up"), Path.of("..")); // back up to the root
    Files.createSymbolicLink(root.resolve("dog/again"), root); // the root again, absolute
    Path outside = Files.createDirectories(tmp.resolve("elsewhere/bird"));
    Files.write(outside.resolve("b.jpg"), TestImages.jpeg(32, 32));
    Files.createSymbolicLink(root.resolve("bird"), outside); // a class folder kept elsewhere
    Files.createSymbolicLink(root.resolve("dog/twin.jpg"), root.resolve("cat/3.jpg")); // one file, two paths
    DatasetInfo info = assertTimeoutPreemptively(Duration.ofSeconds(60),
        () -> run(PreprocessImages.fromImageFolder(root.toString()), tmp.resolve("out")));
    Map<String, List<String>> got = labelsById(tmp.resolve("out"), info);
    assertEquals(21, got.size(), "20 images and the linked-in folder's one: " + got.keySet());
    assertEquals(List.of("bird"), got.get("bird/b.jpg"));
    assertEquals(List.of("cat"), got.get("cat/3.jpg"));
    assertEquals(new TreeSet<>(List.of("bird", "cat", "dog")),
        new TreeSet<>(LabelVocabulary.read(tmp.resolve("out").resolve("labels.txt")).names()), "no class 'up'");
    assertEquals(Map.of("duplicate_file", 1L), info.deadLetters);
    assertEquals(info.inputRecords, 22);
    String dead = Files.readString(tmp.resolve("out").resolve(PreprocessImages.DEAD_LETTER_FILE));
    assertTrue(dead.contains("dog/twin.jpg") && dead.contains("cat/3.jpg"), dead);
  }

  @Test
  void oneImageUnderSeveralSpellingsIsOneRecord(@TempDir Path tmp) throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data/images"));
    for (int i = 0; i < 4; i++) {
      Files.write(data.resolve(i + ".jpg"), TestImages.jpeg(32, 32));
    }
    Path manifest = tmp.resolve("data/manifest.csv");
    Files.writeString(manifest, String.join("\n", "path,labels", "images/0.jpg,cat", "./images/0.jpg,cat",
        data.resolve("0.jpg").toAbsolutePath() + ",cat", "images//1.jpg,dog", "images/x/../2.jpg,dog",
        "images/3.jpg,dog") + "\n");
    DatasetInfo info = PreprocessInputsTest.runInto(PreprocessImages.fromManifest(manifest.toString())
        .withImageOptions(SIDE16).withShardOptions(ShardOptions.defaults().withSplit(0.5, 0, "s"))
        .withMaxBadFraction(1.0), tmp.resolve("out"));
    Map<String, List<String>> got = labelsById(tmp.resolve("out"), info);
    assertEquals(List.of("images/0.jpg", "images/1.jpg", "images/2.jpg", "images/3.jpg"), new ArrayList<>(got.keySet()));
    assertEquals(Map.of("duplicate_id", 2L), info.deadLetters);
  }

  @Test
  void aMisspeltLabelsKeyIsRefusedNotReadAsUnlabelled(@TempDir Path tmp) throws Exception {
    Files.createDirectories(tmp.resolve("images"));
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Files.write(tmp.resolve("images/" + i + ".jpg"), TestImages.jpeg(32, 32));
      lines.add("{\"image\": \"images/" + i + ".jpg\", \"" + (i < 4 ? "label" : "labels") + "\": [\"cat\"]}");
    }
    Path manifest = tmp.resolve("m.jsonl");
    Files.write(manifest, lines);
    Exception e = assertThrows(Exception.class, () -> run(PreprocessImages.fromManifest(manifest.toString()),
        tmp.resolve("out")));
    assertTrue(String.valueOf(e.getMessage()).contains("bad_manifest_line"), e.toString());
    // a refused run keeps its dead letters in refused/
    String dead = Files.readString(tmp.resolve("out").resolve("refused").resolve(PreprocessImages.DEAD_LETTER_FILE));
    assertTrue(dead.contains("unknown key \\\"label\\\"") && dead.contains("did you mean"), dead);
    // every line misspelt: no label at all, and a message saying so (not an empty singleton view)
    Path allWrong = tmp.resolve("tags.jsonl");
    Files.write(allWrong, lines.stream().map(l -> l.replace("\"labels\"", "\"tags\"").replace("\"label\"", "\"tags\"")).toList());
    Exception none = assertThrows(Exception.class, () -> run(PreprocessImages.fromManifest(allWrong.toString()),
        tmp.resolve("out2")));
    assertTrue(String.valueOf(none.getMessage()).contains("no manifest entry carries a label"), none.toString());
    // without the key at all, and an explicit [] next to it
    dev.labelbeam.transforms.manifest.JsonlManifestParser p = new dev.labelbeam.transforms.manifest.JsonlManifestParser("");
    IllegalArgumentException noKey = assertThrows(IllegalArgumentException.class, () -> p.parse("{\"image\": \"a.jpg\"}"));
    assertTrue(noKey.getMessage().contains("no \"labels\" key"), noKey.getMessage());
    assertEquals(List.of(), p.parse("{\"image\": \"a.jpg\", \"labels\": []}").labels());
  }

  @Test
  void labelsTxtEntriesAreTrimmedAsManifestLabelsAre(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    Path manifest = dev.labelbeam.transforms.synthetic.SyntheticShapes.generate(data, 20, 32, 3);
    Path labels = tmp.resolve("labels.txt");
    List<String> names = dev.labelbeam.transforms.synthetic.SyntheticShapes.labels();
    List<String> padded = new ArrayList<>();
    for (String n : names) {
      padded.add(n + " \t");
    }
    Files.write(labels, padded);
    LabelVocabulary v = LabelVocabulary.read(labels);
    assertEquals(names, v.names());
    DatasetInfo info = run(PreprocessImages.fromManifest(manifest.toString()).withVocabulary(v), tmp.resolve("out"));
    assertEquals(Map.of(), info.deadLetters);
    assertEquals(20, info.records("train"));
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
        () -> LabelVocabulary.fromText("cat\ndog \n cat\n"));
    assertTrue(twice.getMessage().contains("lines 1 and 3"), twice.getMessage());
    IllegalArgumentException blank = assertThrows(IllegalArgumentException.class,
        () -> LabelVocabulary.fromText("cat\n\ndog\n"));
    assertTrue(blank.getMessage().contains("line 2"), blank.getMessage());
  }

  @Test
  void moreShardsThanRecordsAreNamedByTheShardsWritten(@TempDir Path tmp) throws Exception {
    Path manifest = dev.labelbeam.transforms.synthetic.SyntheticShapes.generate(tmp.resolve("data"), 20, 32, 6);
    Path out = tmp.resolve("out");
    DatasetInfo info = PreprocessInputsTest.runInto(PreprocessImages.fromManifest(manifest.toString())
        .withImageOptions(SIDE16).withShardOptions(ShardOptions.defaults().withSplit(0, 0, "").withShards("train", 50)),
        out);
    List<String> names = info.shards.get("train");
    assertTrue(names.size() <= 20, names.toString());
    for (int i = 0; i < names.size(); i++) {
      assertTrue(names.get(i).endsWith(String.format("-%05d-of-%05d.tfrecord", i, names.size())), names.get(i));
      assertTrue(Files.exists(out.resolve(names.get(i))), names.get(i));
    }
    assertEquals(new TreeSet<>(names), new TreeSet<>(info.digests.keySet()));
    assertEquals(20, PreprocessInputsTest.records(out, info).size());
    // the dataset reads back through its check (sizes and digests by the new names)
    assertEquals(List.of(), dev.labelbeam.transforms.shards.DatasetCheck.of(out).problems());
  }

  @Test
  void deadLettersAlsoGoToBeamsBadRecordErrorHandler(@TempDir Path tmp) throws Exception {
    Path manifest = tmp.resolve("m.jsonl");
    Files.createDirectories(tmp.resolve("images"));
    Files.write(tmp.resolve("images/a.jpg"), TestImages.jpeg(32, 32));
    Files.writeString(tmp.resolve("images/b.jpg"), "not an image");
    Files.write(manifest, List.of("{\"image\": \"images/a.jpg\", \"labels\": [\"cat\"]}",
        "{\"image\": \"images/b.jpg\", \"labels\": [\"cat\"]}", "{\"image\": \"images/c.jpg\", \"labels\": [\"cat\"]}",
        "not json"));
    org.apache.beam.sdk.Pipeline p = org.apache.beam.sdk.Pipeline.create(
        org.apache.beam.sdk.options.PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    var handler = p.registerBadRecordErrorHandler(new dev.labelbeam.transforms.errors.CountBadRecords());
    p.apply(PreprocessImages.fromManifest(manifest.toString()).to(tmp.resolve("out").toString()).withImageOptions(SIDE16)
        .withShardOptions(ShardOptions.defaults().withSplit(0, 0, "")).withMaxBadFraction(1.0)
        .withBadRecordErrorHandler(handler));
    handler.close();
    org.apache.beam.sdk.testing.PAssert.thatSingleton(handler.getOutput()).isEqualTo(3L);
    p.run().waitUntilFinish();
    DatasetInfo info = DatasetInfo.read(tmp.resolve("out").resolve(DatasetInfo.FILE_NAME));
    assertEquals(3, PreprocessInputsTest.dead(info), "the dead-letter file has the same three: " + info.deadLetters);
  }
}
