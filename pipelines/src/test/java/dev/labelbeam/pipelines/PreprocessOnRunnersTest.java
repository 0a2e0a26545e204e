package dev.labelbeam.pipelines;

import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.shards.ShardOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.ShardFiles;
import dev.labelbeam.shard.TfRecordReader;
import dev.labelbeam.transforms.PreprocessImages;
import dev.labelbeam.transforms.PreprocessImagesTest;
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
    PreprocessImages t = PreprocessImages.fromCsvManifest(manifest.toString())
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
}
