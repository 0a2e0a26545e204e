package dev.labelbeam.transforms.shards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.TfRecordReader;
import dev.labelbeam.shard.TfRecordWriter;
import dev.labelbeam.transforms.PreprocessImages;
import dev.labelbeam.transforms.PreprocessImagesTest;
import dev.labelbeam.transforms.images.ImageOptions;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The check behind `labelbeam check` and the Flink cluster check: what it accepts and what it catches. */
class DatasetCheckTest {
  @TempDir static Path tmp;
  static Path good;

  @BeforeAll
  static void preprocess() throws Exception {
    Path manifest = PreprocessImagesTest.datasetWithBadInputs(tmp.resolve("data"));
    good = tmp.resolve("good");
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    p.apply(PreprocessImages.fromManifest(manifest.toString()).to(good.toString()).withImageOptions(ImageOptions.defaults().withShorterSide(32))
        .withShardOptions(ShardOptions.defaults().withSplit(0.25, 0.0, "s").withShards("train", 2).withShards("val", 1)));
    p.run().waitUntilFinish();
  }

  /** A copy of the good dataset to break. */
  private static Path copy(String name) throws Exception {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    try (var s = Files.list(good)) {
      for (Path f : (Iterable<Path>) s::iterator) {
        Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return dir;
  }

  private static List<byte[]> records(Path shard) throws Exception {
    List<byte[]> out = new ArrayList<>();
    try (TfRecordReader r = TfRecordReader.open(shard)) {
      for (byte[] d = r.next(); d != null; d = r.next()) {
        out.add(d);
      }
    }
    return out;
  }

  private static void write(Path shard, List<byte[]> recs) throws Exception {
    try (OutputStream o = Files.newOutputStream(shard); TfRecordWriter w = new TfRecordWriter(o)) {
      for (byte[] d : recs) {
        w.write(d);
      }
    }
  }

  @Test
  void aCompleteDatasetPassesAndEqualsItsCopy() throws Exception {
    DatasetCheck a = DatasetCheck.of(good);
    assertEquals(List.of(), a.problems());
    assertEquals(PreprocessImagesTest.GOOD, a.written());
    assertEquals(5, a.deadLettered());
    assertEquals(0, a.unverifiedShards(), "every shard's digest is recorded in dataset.json");
    assertEquals(3, a.info().digests.size());
    assertEquals(List.of(), a.sameAs(DatasetCheck.of(copy("same"))));
  }

  @Test
  void catchesADuplicateALossAStrayShardAndChangedBytes() throws Exception {
    DatasetInfo info = DatasetInfo.read(good.resolve(DatasetInfo.FILE_NAME));
    Path shard0 = good.resolve(info.shards.get("train").get(0));
    Path shard1 = good.resolve(info.shards.get("train").get(1));

    Path dup = copy("dup"); // a record written twice, as a retried bundle without its cleanup would
    List<byte[]> recs = records(shard0);
    recs.add(recs.get(0));
    write(dup.resolve(shard0.getFileName()), recs);
    List<String> p = DatasetCheck.of(dup).problems();
    assertTrue(p.stream().anyMatch(s -> s.contains("appears twice")), p.toString());

    Path lost = copy("lost"); // a shard's last record missing
    recs = records(shard1);
    recs.remove(recs.size() - 1);
    write(lost.resolve(shard1.getFileName()), recs);
    DatasetCheck l = DatasetCheck.of(lost);
    assertTrue(l.problems().stream().anyMatch(s -> s.contains("records in its shards")), l.problems().toString());
    assertTrue(l.problems().stream().anyMatch(s -> s.contains("input records")), l.problems().toString());
    assertTrue(DatasetCheck.of(good).sameAs(l).stream().anyMatch(s -> s.contains("only in")));

    Path stray = copy("stray"); // a shard of an earlier run left beside the new ones
    Files.copy(shard0, stray.resolve("train-00000-of-00009.tfrecord"));
    assertTrue(DatasetCheck.of(stray).problems().stream().anyMatch(s -> s.contains("shards on disk")));

    Path changed = copy("changed"); // same ids, other bytes: a record re-encoded differently
    recs = records(shard0);
    ImageRecord r = ImageRecord.parse(recs.get(0));
    byte[] pixels = r.encoded().clone();
    pixels[pixels.length / 2] ^= 1;
    recs.set(0, new ImageRecord(r.id(), pixels, r.format(), r.height(), r.width(), r.labelBits()).toBytes());
    write(changed.resolve(shard0.getFileName()), recs);
    assertTrue(DatasetCheck.of(good).sameAs(DatasetCheck.of(changed)).stream().anyMatch(s -> s.contains("bytes differ")));
    // alone, too: same ids and counts, but the shard's SHA-256 differs from the recorded one
    List<String> changedAlone = DatasetCheck.of(changed).problems();
    assertTrue(changedAlone.stream().anyMatch(s -> s.contains("changed after preprocess")), changedAlone.toString());

    Path dead = copy("dead"); // a dead letter dropped
    List<String> lines = Files.readAllLines(dead.resolve(PreprocessImages.DEAD_LETTER_FILE));
    Files.write(dead.resolve(PreprocessImages.DEAD_LETTER_FILE), lines.subList(1, lines.size()));
    assertTrue(DatasetCheck.of(dead).problems().stream().anyMatch(s -> s.contains("dead letters by reason")));
  }

  @Test
  void anEmptyDatasetJsonFails() throws Exception {
    Path empty = copy("empty");
    Files.writeString(empty.resolve(DatasetInfo.FILE_NAME), "{}");
    DatasetCheck c = DatasetCheck.of(empty);
    org.junit.jupiter.api.Assertions.assertFalse(c.problems().isEmpty(), "{} must not pass");
    org.junit.jupiter.api.Assertions.assertTrue(c.problems().stream().anyMatch(p -> p.contains("lists no shards")),
        c.problems().toString());
  }
}
