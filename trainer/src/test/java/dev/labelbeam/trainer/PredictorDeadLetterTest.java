package dev.labelbeam.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.TfRecordReader;
import dev.labelbeam.trainer.inference.Predictor;
import dev.labelbeam.trainer.model.Checkpoints;
import dev.labelbeam.trainer.model.ModelSpec;
import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import dev.labelbeam.transforms.synthetic.SyntheticShards;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One undecodable record in a batch: it gets no scores and its error, the others their scores. It
 * used to fail the whole batch with an IndexOutOfBoundsException (the tensor was given the full
 * batch's pixel array with the count of good images), so evaluation never reached its dead letters.
 */
class PredictorDeadLetterTest {

  @Test
  void anUndecodableRecordIsSetAsideAndTheOthersScored(@TempDir Path tmp) throws Exception {
    Path shards = SyntheticShards.write(tmp, 6, 16, 1, 0, 2);
    List<ImageRecord> good = new ArrayList<>();
    try (TfRecordReader r = TfRecordReader.open(shards.resolve("train-00000-of-00001.tfrecord"))) {
      for (byte[] d = r.next(); d != null; d = r.next()) {
        good.add(ImageRecord.parse(d));
      }
    }
    TorchRuntime.load();
    ModelSpec spec = ModelSpec.smallCnn(SyntheticShapes.labels(), 4, 16);
    Checkpoints.save(spec.build(), spec, tmp.resolve("model"));

    ImageRecord first = good.get(0);
    ImageRecord broken = new ImageRecord("broken", new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3}, "jpeg",
        first.height(), first.width(), first.labelBits());
    List<ImageRecord> batch = List.of(good.get(0), broken, good.get(1), good.get(2));
    try (Predictor p = Predictor.load(tmp.resolve("model"), DeviceChoice.CPU)) {
      String[] errors = new String[batch.size()];
      float[][] scores = p.predictEach(batch, errors);
      assertNull(scores[1]);
      assertNotNull(errors[1]);
      float[][] alone = p.predictEach(List.of(good.get(0), good.get(1), good.get(2)), new String[3]);
      assertEquals(12, scores[0].length);
      assertArrayEquals(alone[0], scores[0], 1e-5f);
      assertArrayEquals(alone[1], scores[2], 1e-5f);
      assertArrayEquals(alone[2], scores[3], 1e-5f);
    }
  }

  @Test
  void withAFixedBatchAnImageScoresTheSameAloneOrInCompany(@TempDir Path tmp) throws Exception {
    Path shards = SyntheticShards.write(tmp, 6, 32, 1, 0, 4);
    List<ImageRecord> recs = new ArrayList<>();
    try (TfRecordReader r = TfRecordReader.open(shards.resolve("train-00000-of-00001.tfrecord"))) {
      for (byte[] d = r.next(); d != null; d = r.next()) {
        recs.add(ImageRecord.parse(d));
      }
    }
    TorchRuntime.load();
    ModelSpec spec = ModelSpec.smallCnn(SyntheticShapes.labels(), 8, 32);
    Checkpoints.save(spec.build(), spec, tmp.resolve("model"));
    try (Predictor p = Predictor.load(tmp.resolve("model"), DeviceChoice.CPU).withFixedBatch(4)) {
      float[] alone = p.predictEach(recs.subList(0, 1), new String[1])[0];
      float[][] three = p.predictEach(recs.subList(0, 3), new String[3]);
      float[][] six = p.predictEach(recs, new String[6]); // split into 4 + 2 (padded)
      org.junit.jupiter.api.Assertions.assertArrayEquals(alone, three[0], 0f, "bit for bit, alone or with two others");
      org.junit.jupiter.api.Assertions.assertArrayEquals(three[2], six[2], 0f);
      org.junit.jupiter.api.Assertions.assertEquals(6, six.length);
      org.junit.jupiter.api.Assertions.assertEquals(12, six[5].length);
    }
  }
}
