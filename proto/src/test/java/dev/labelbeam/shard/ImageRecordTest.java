package dev.labelbeam.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.proto.tf.Example;
import dev.labelbeam.proto.tf.Feature;
import dev.labelbeam.proto.tf.Int64List;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageRecordTest {

  @Test
  void roundTripsThroughExampleBytes() {
    ImageRecord r =
        new ImageRecord("img/1.jpg", new byte[] {1, 2, 3}, "jpeg", 64, 48, LabelBits.pack(new int[] {0, 10}, 11));
    ImageRecord back = ImageRecord.parse(r.toBytes());
    assertEquals(r, back);
    assertEquals(2, back.labelCount());
    Map<String, Feature> f = r.toExample().getFeatures().getFeatureMap();
    assertEquals(2L, f.get("label/count").getInt64List().getValue(0));
    assertEquals("jpeg", f.get("image/format").getBytesList().getValue(0).toStringUtf8());
  }

  @Test
  void inconsistentCountIsRejected() {
    Example ex = new ImageRecord("x", new byte[0], "jpeg", 1, 1, new byte[] {3}).toExample();
    Example bad =
        ex.toBuilder()
            .setFeatures(
                ex.getFeatures().toBuilder()
                    .putFeature("label/count", Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(5)).build()))
            .build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ImageRecord.parse(bad.toByteArray()));
    assertTrue(e.getMessage().contains("label/count"));
    assertThrows(IllegalArgumentException.class, () -> ImageRecord.parse(new byte[] {(byte) 0xff, 0x01}));
  }

  @Test
  void vocabularyAndDatasetInfoRoundTrip(@TempDir Path dir) throws Exception {
    LabelVocabulary v = new LabelVocabulary(List.of("red_circle", "blue_square"));
    v.write(dir.resolve(LabelVocabulary.FILE_NAME));
    assertEquals(v, LabelVocabulary.read(dir.resolve(LabelVocabulary.FILE_NAME)));
    assertEquals(1, v.indexOf("blue_square"));
    assertEquals(-1, v.indexOf("green"));
    assertThrows(IllegalArgumentException.class, () -> new LabelVocabulary(List.of("a", "a")));

    DatasetInfo info = new DatasetInfo();
    info.numClasses = 2;
    info.records.put("train", 10L);
    info.positiveCounts.put("train", new long[] {3, 7});
    info.shards.put("train", List.of(ShardFiles.name("train", 0, 1)));
    info.options.put("imageSize", "64");
    info.write(dir.resolve(DatasetInfo.FILE_NAME));
    DatasetInfo back = DatasetInfo.read(dir.resolve(DatasetInfo.FILE_NAME));
    assertEquals(10L, back.records("train"));
    assertEquals(7L, back.positiveCounts("train")[1]);
    assertEquals("train-00000-of-00001.tfrecord", back.shards.get("train").get(0));
    assertEquals(0L, back.positiveCounts("val")[0]);
  }
}
