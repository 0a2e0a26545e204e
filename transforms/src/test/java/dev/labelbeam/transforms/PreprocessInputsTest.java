package dev.labelbeam.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.LabelBits;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.shard.TfRecordReader;
import dev.labelbeam.transforms.images.DecodeAndResize;
import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.images.ImageResizer;
import dev.labelbeam.transforms.images.ResizeSpec;
import dev.labelbeam.transforms.images.TestImages;
import dev.labelbeam.transforms.shards.ShardOptions;
import dev.labelbeam.transforms.shards.SplitAssigner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The preprocess stage over every manifest kind and every kind of bad input, on DirectRunner. */
class PreprocessInputsTest {
  private static final ImageOptions SIDE16 = ImageOptions.defaults().withShorterSide(16);

  static DatasetInfo run(PreprocessImages t) throws Exception {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    p.apply(t);
    p.run().waitUntilFinish();
    return null;
  }

  static DatasetInfo runInto(PreprocessImages t, Path out) throws Exception {
    run(t.to(out.toString()));
    return DatasetInfo.read(out.resolve(DatasetInfo.FILE_NAME));
  }

  /** id → record of every shard listed in dataset.json. */
  static Map<String, ImageRecord> records(Path out, DatasetInfo info) throws Exception {
    Map<String, ImageRecord> all = new TreeMap<>();
    for (Map.Entry<String, List<String>> e : info.shards.entrySet()) {
      for (String name : e.getValue()) {
        try (TfRecordReader r = TfRecordReader.open(out.resolve(name))) {
          for (byte[] d = r.next(); d != null; d = r.next()) {
            ImageRecord rec = ImageRecord.parse(d);
            assertEquals(null, all.put(rec.id(), rec), "duplicate " + rec.id());
          }
        }
      }
    }
    return all;
  }

  static long dead(DatasetInfo info) {
    return info.deadLetters.values().stream().mapToLong(Long::longValue).sum();
  }

  static long written(DatasetInfo info) {
    return info.records.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Writes every kind of good and bad file under {@code dir/img}; returns JSONL manifest lines. */
  static List<String> everyKind(Path dir) throws Exception {
    Path img = Files.createDirectories(dir.resolve("img"));
    Files.write(img.resolve("plain.jpg"), TestImages.jpeg(120, 90));
    Files.write(img.resolve("alpha.png"), TestImages.pngWithAlpha(64, 64));
    Files.write(img.resolve("deep.png"), TestImages.png16(64, 64));
    Files.write(img.resolve("palette.png"), TestImages.palettePng(64, 64));
    Files.write(img.resolve("cmyk.jpg"), TestImages.cmykJpeg(64, 64));
    Files.write(img.resolve("rotated.jpg"), TestImages.jpegWithExifOrientation(80, 40, 6));
    Files.write(img.resolve("pic.webp"), TestImages.encode(".webp", TestImages.twoColors(64, 48, TestImages.RED, TestImages.BLUE)));
    Files.write(img.resolve("pic.tiff"), TestImages.encode(".tiff", TestImages.twoColors(64, 48, TestImages.RED, TestImages.BLUE)));
    Files.write(img.resolve("pic.bmp"), TestImages.encode(".bmp", TestImages.twoColors(64, 48, TestImages.RED, TestImages.BLUE)));
    byte[] big = TestImages.jpeg(300, 300);
    Files.write(img.resolve("truncated.jpg"), java.util.Arrays.copyOf(big, big.length / 2));
    Files.write(img.resolve("bomb.png"), TestImages.pngClaiming(100_000, 100_000));
    Files.write(img.resolve("empty.jpg"), new byte[0]);
    Files.writeString(img.resolve("text.jpg"), "I am not a JPEG\n");
    List<String> lines = new ArrayList<>();
    for (String good : List.of("plain.jpg", "alpha.png", "deep.png", "palette.png", "cmyk.jpg", "rotated.jpg",
        "pic.webp", "pic.tiff", "pic.bmp")) {
      lines.add("{\"image\": \"img/" + good + "\", \"labels\": [\"good\", \"" + good.replace('.', '_') + "\"]}");
    }
    // an absolute path: the same file as img/plain.jpg, so the same id (a duplicate)
    lines.add("{\"image\": \"" + img.resolve("plain.jpg").toAbsolutePath() + "\", \"labels\": [\"good\"]}");
    for (String bad : List.of("truncated.jpg", "bomb.png", "empty.jpg", "text.jpg", "missing.jpg")) {
      lines.add("{\"image\": \"img/" + bad + "\", \"labels\": [\"bad\"]}");
    }
    lines.add("{\"image\": \"img/plain.jpg\", \"labels\": [\"again\"]}"); // a duplicate id
    lines.add("{\"labels\": [\"no image\"]}"); // a bad line
    lines.add("not json at all");
    return lines;
  }

  @Test
  void jsonlManifestWithEveryKindOfInput(@TempDir Path tmp) throws Exception {
    List<String> lines = everyKind(tmp);
    Path manifest = tmp.resolve("manifest.jsonl");
    Files.write(manifest, lines);
    Path out = tmp.resolve("out");
    DatasetInfo info = runInto(PreprocessImages.fromManifest(manifest.toString()).withImageOptions(ImageOptions.defaults().withShorterSide(32))
        .withShardOptions(ShardOptions.defaults().withSplit(0.3, 0.0, "s"))
        .withMaxBadFraction(1.0), out); // every kind of bad input, on purpose

    assertEquals(lines.size(), info.inputRecords);
    assertEquals(info.inputRecords, written(info) + dead(info), "every input is written or dead-lettered");
    assertEquals(9, written(info));
    assertEquals(Map.of("truncated", 1L, "too_many_pixels", 1L, "empty_file", 1L, "decode_failed", 1L,
        "unreadable_path", 1L, "duplicate_id", 2L, "bad_manifest_line", 2L), info.deadLetters);
    List<String> deadLines = Files.readAllLines(out.resolve(PreprocessImages.DEAD_LETTER_FILE));
    assertEquals(9, deadLines.size());
    assertTrue(deadLines.stream().anyMatch(l -> l.contains("img/truncated.jpg") && l.contains("\"truncated\"")));
    assertTrue(deadLines.stream().anyMatch(l -> l.contains("duplicate_id") && l.contains("img/plain.jpg")));
    Map<String, ImageRecord> recs = records(out, info);
    assertEquals(9, recs.size());
    ImageRecord rotated = recs.get("img/rotated.jpg");
    assertTrue(rotated.height() > rotated.width(), "EXIF rotation applied: " + rotated);
    LabelVocabulary vocab = LabelVocabulary.read(out.resolve(LabelVocabulary.FILE_NAME));
    assertTrue(vocab.names().contains("cmyk_jpg"));
    // of the three entries with id img/plain.jpg (one by its absolute path), the first by (path, labels) is kept: the one labelled "again"
    assertEquals(List.of(vocab.indexOf("again")),
        java.util.Arrays.stream(LabelBits.unpack(recs.get("img/plain.jpg").labelBits(), vocab.size())).boxed().toList());
    assertFalse(vocab.names().contains("plain_jpg"), "the dropped duplicate's labels are not in the data");
    // the split of every record is the hash of its id
    SplitAssigner a = new SplitAssigner(0.3, 0.0, "s");
    for (Map.Entry<String, List<String>> e : info.shards.entrySet()) {
      for (String name : e.getValue()) {
        try (TfRecordReader r = TfRecordReader.open(out.resolve(name))) {
          for (byte[] d = r.next(); d != null; d = r.next()) {
            assertEquals(e.getKey(), a.assign(ImageRecord.parse(d).id()));
          }
        }
      }
    }
    assertNoStaging(out);
  }

  @Test
  void imageFolderTreeGivesFolderLabels(@TempDir Path tmp) throws Exception {
    Path root = tmp.resolve("tree");
    Files.createDirectories(root.resolve("cat/indoor"));
    Files.createDirectories(root.resolve("dog"));
    Files.createDirectories(root.resolve(".hidden"));
    Files.write(root.resolve("cat/a.jpg"), TestImages.jpeg(64, 64));
    Files.write(root.resolve("cat/indoor/b.png"), TestImages.encode(".png", TestImages.twoColors(64, 64, TestImages.RED, TestImages.BLUE)));
    Files.write(root.resolve("dog/c.jpg"), TestImages.jpeg(64, 64));
    Files.write(root.resolve(".hidden/d.jpg"), TestImages.jpeg(64, 64));
    Path out = tmp.resolve("out");
    DatasetInfo info = runInto(PreprocessImages.fromImageFolder(root.toString()).withImageOptions(SIDE16).withShardOptions(ShardOptions.defaults().withSplit(0, 0, "")), out);
    assertEquals(3, info.inputRecords);
    LabelVocabulary vocab = LabelVocabulary.read(out.resolve(LabelVocabulary.FILE_NAME));
    assertEquals(List.of("cat", "dog", "indoor"), vocab.names());
    Map<String, ImageRecord> recs = records(out, info);
    assertEquals(List.of(0, 2), java.util.Arrays.stream(LabelBits.unpack(recs.get("cat/indoor/b.png").labelBits(), 3)).boxed().toList());
    assertEquals(List.of(1), java.util.Arrays.stream(LabelBits.unpack(recs.get("dog/c.jpg").labelBits(), 3)).boxed().toList());
  }

  /** A small CSV dataset of {@code n} images with labels a/b/c (c rare). */
  static Path csvDataset(Path dir, int n, long seed) throws Exception {
    Files.createDirectories(dir.resolve("i"));
    List<String> lines = new ArrayList<>();
    Random rnd = new Random(seed);
    byte[] jpeg = TestImages.jpeg(64, 48);
    for (int i = 0; i < n; i++) {
      String name = "i/" + i + ".jpg";
      Files.write(dir.resolve(name), jpeg);
      lines.add(name + "," + (rnd.nextBoolean() ? "a" : "b") + (i % 25 == 0 ? "|c" : ""));
    }
    Path m = dir.resolve("m.csv");
    Files.write(m, lines);
    return m;
  }

  @Test
  void vocabularyPolicies(@TempDir Path tmp) throws Exception {
    Path m = csvDataset(tmp, 60, 1);
    // built from data with a minimum count: "c" (3 times) is dropped from the images, which stay
    DatasetInfo pruned = runInto(PreprocessImages.fromManifest(m.toString()).withImageOptions(SIDE16).withMinLabelCount(5), tmp.resolve("p"));
    assertEquals(List.of("a", "b"), LabelVocabulary.read(tmp.resolve("p").resolve(LabelVocabulary.FILE_NAME)).names());
    assertEquals(60, written(pruned));
    // a given vocabulary without "c": those images are dead-lettered
    LabelVocabulary ab = new LabelVocabulary(List.of("a", "b"));
    DatasetInfo given = runInto(PreprocessImages.fromManifest(m.toString()).withImageOptions(SIDE16).withVocabulary(ab), tmp.resolve("g"));
    assertEquals(Map.of("unknown_label", 3L), given.deadLetters);
    assertEquals(57, written(given));
    // or they fail the job, naming the label
    Exception e = assertThrows(Exception.class, () -> run(PreprocessImages.fromManifest(m.toString()).withImageOptions(SIDE16)
        .withVocabulary(ab).withUnknownLabels(DecodeAndResize.UnknownLabels.FAIL).to(tmp.resolve("f").toString())));
    assertTrue(String.valueOf(e.getMessage()).contains("label 'c'"), e.getMessage());
  }

  @Test
  void tooManyBadRecordsFailTheJobAfterReporting(@TempDir Path tmp) throws Exception {
    Path m = csvDataset(tmp, 10, 2);
    Files.writeString(m, "i/missing1.jpg,a\ni/missing2.jpg,a\ni/missing3.jpg,b\n", StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);
    Path out = tmp.resolve("out");
    // a good dataset first (the same input within the threshold goes through)
    DatasetInfo ok = runInto(PreprocessImages.fromManifest(m.toString()).withImageOptions(SIDE16).withMaxBadFraction(0.5), out);
    assertEquals(10, written(ok));
    byte[] goodJson = Files.readAllBytes(out.resolve(DatasetInfo.FILE_NAME));
    byte[] goodDead = Files.readAllBytes(out.resolve(PreprocessImages.DEAD_LETTER_FILE));

    // then a failing run into the same folder: it reports in refused/ and leaves the good dataset as it was
    Exception e = assertThrows(Exception.class, () -> run(PreprocessImages.fromManifest(m.toString()).withImageOptions(SIDE16)
        .withMaxBadFraction(0.1).to(out.toString())));
    assertTrue(String.valueOf(e.getMessage()).contains("more than the allowed"), e.getMessage());
    Path refused = out.resolve(dev.labelbeam.transforms.shards.DatasetFiles.REFUSED_DIR);
    DatasetInfo info = DatasetInfo.read(refused.resolve(DatasetInfo.FILE_NAME));
    assertEquals(3L, info.deadLetters.get("unreadable_path"));
    assertEquals(3, Files.readAllLines(refused.resolve(PreprocessImages.DEAD_LETTER_FILE)).size());
    org.junit.jupiter.api.Assertions.assertArrayEquals(goodJson, Files.readAllBytes(out.resolve(DatasetInfo.FILE_NAME)));
    org.junit.jupiter.api.Assertions.assertArrayEquals(goodDead,
        Files.readAllBytes(out.resolve(PreprocessImages.DEAD_LETTER_FILE)));
    assertEquals(List.of(), dev.labelbeam.transforms.shards.DatasetCheck.of(out).problems());
  }

  @Test
  void rerunIntoTheSameFolderLeavesOnlyTheNewShards(@TempDir Path tmp) throws Exception {
    Path m = csvDataset(tmp, 40, 3);
    Path out = tmp.resolve("out");
    DatasetInfo first = runInto(PreprocessImages.fromManifest(m.toString()).withImageOptions(SIDE16)
        .withShardOptions(ShardOptions.defaults().withSplit(0.2, 0.2, "x").withShards("train", 3).withShards("val", 2).withShards("test", 2)), out);
    assertEquals(7, shardFiles(out).size());
    DatasetInfo second = runInto(PreprocessImages.fromManifest(m.toString()).withImageOptions(SIDE16)
        .withShardOptions(ShardOptions.defaults().withSplit(0.2, 0.0, "x").withShards("train", 2).withShards("val", 1).withGzip(true)), out);
    List<String> now = shardFiles(out);
    List<String> listed = second.shards.values().stream().flatMap(List::stream).sorted().collect(Collectors.toList());
    assertEquals(listed, now, "only the second run's shards remain");
    String g = second.generation;
    assertTrue(!g.equals(first.generation), "each run has a generation of its own");
    assertEquals(List.of("train-" + g + "-00000-of-00002.tfrecord.gz", "train-" + g + "-00001-of-00002.tfrecord.gz",
        "val-" + g + "-00000-of-00001.tfrecord.gz"), now);
    assertEquals(40, records(out, second).size());
    assertEquals(first.inputRecords, second.inputRecords);
    assertNoStaging(out);
  }

  @Test
  void shardsBySizeAreBalancedAndSplitsDoNotDependOnInputOrder(@TempDir Path tmp) throws Exception {
    Path m = csvDataset(tmp, 200, 4);
    DatasetInfo a = runInto(PreprocessImages.fromManifest(m.toString()).withImageOptions(SIDE16).withShardOptions(ShardOptions.defaults().withShardSizeMb(1)), tmp.resolve("a"));
    assertEquals(1, a.shards.get("train").size(), "200 small images fit one 1 MB shard");
    // the same lines shuffled, with fixed shard counts
    List<String> lines = new ArrayList<>(Files.readAllLines(m));
    Collections.shuffle(lines, new Random(9));
    Path shuffled = tmp.resolve("shuffled.csv");
    Files.write(shuffled, lines);
    Path bOut = tmp.resolve("b");
    DatasetInfo b = runInto(PreprocessImages.fromManifest(shuffled.toString()).withImageOptions(SIDE16).withShardOptions(ShardOptions.defaults().withShards("train", 4)), bOut);
    assertEquals(a.records, b.records);
    Map<String, ImageRecord> ra = records(tmp.resolve("a"), a);
    Map<String, ImageRecord> rb = records(bOut, b);
    assertEquals(ra, rb, "same records, byte for byte");
    for (String name : b.shards.get("train")) {
      long n = 0;
      try (TfRecordReader r = TfRecordReader.open(bOut.resolve(name))) {
        while (r.next() != null) {
          n++;
        }
      }
      double share = (double) n / b.records("train");
      assertTrue(share > 0.1 && share < 0.4, "shard " + name + " holds " + n + " of " + b.records("train"));
    }
  }

  @Test
  void pngAndRawOutputs(@TempDir Path tmp) throws Exception {
    Path m = csvDataset(tmp, 5, 5);
    DatasetInfo raw = runInto(PreprocessImages.fromManifest(m.toString()).withImageOptions(ImageOptions.defaults().withResize(ResizeSpec.exact(20, 10))
        .withOutputFormat(ImageResizer.Output.RAW)).withShardOptions(ShardOptions.defaults().withSplit(0, 0, "")), tmp.resolve("raw"));
    assertEquals("raw", raw.imageFormat);
    assertEquals("exact:20x10", raw.resize);
    for (ImageRecord r : records(tmp.resolve("raw"), raw).values()) {
      assertEquals("raw", r.format());
      assertEquals(20 * 10 * 3, r.encoded().length);
    }
  }

  static List<String> shardFiles(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tfrecord")).sorted().collect(Collectors.toList());
    }
  }

  static void assertNoStaging(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).collect(Collectors.toList()));
    }
  }
}
