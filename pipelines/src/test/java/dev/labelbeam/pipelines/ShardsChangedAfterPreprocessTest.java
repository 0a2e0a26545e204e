package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.TfRecordReader;
import dev.labelbeam.shard.TfRecordWriter;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shard cut at a record boundary or holding a record twice once trained and evaluated on what was
 * left, with exit code 0. dataset.json now records each shard's records, size and SHA-256: train and
 * evaluate refuse such shards before reading, with a message that says what to do.
 */
class ShardsChangedAfterPreprocessTest {

  @Test
  void trainAndEvaluateRefuseACutOrGrownShard(@TempDir Path tmp) throws Exception {
    Path shards = TestDatasets.preprocess(tmp, 160, 40, 9, 24, 0.25, 2);
    DatasetInfo info = DatasetInfo.read(shards.resolve(DatasetInfo.FILE_NAME));
    Path model = tmp.resolve("model");
    assertEquals(0, TestCli.run(new StringWriter(), "train", "--shards", shards.toString(), "--output", model.toString(),
        "--epochs", "1", "--batch-size", "16", "--width", "4", "--torch-threads", "1", "--loader-threads", "1",
        "--device", "cpu", "--no-validate"));

    // one byte of the val shard flipped mid-record: same size, so the reader's CRC finds it, naming file and offset
    Path val = shards.resolve(info.shards.get("val").get(0));
    byte[] original = Files.readAllBytes(val);
    byte[] flipped = original.clone();
    flipped[flipped.length / 2] ^= 0x10;
    Files.write(val, flipped);
    StringWriter crc = new StringWriter();
    assertEquals(1, TestCli.run(crc, "evaluate", "--shards", shards.toString(), "--model", model.toString(),
        "--output", tmp.resolve("eval").toString(), "--device", "cpu", "--runner=DirectRunner"), crc.toString());
    assertTrue(crc.toString().contains(val.getFileName().toString()) && crc.toString().contains("CRC")
        && crc.toString().contains("offset"), crc.toString());
    Files.write(val, original);

    // the val shard cut at a record boundary: a third of its records gone
    List<byte[]> recs = records(val);
    write(val, recs.subList(0, recs.size() * 2 / 3));
    StringWriter err = new StringWriter();
    int code = TestCli.run(err, "evaluate", "--shards", shards.toString(), "--model", model.toString(),
        "--output", tmp.resolve("eval").toString(), "--device", "cpu", "--runner=DirectRunner");
    assertEquals(1, code, err.toString());
    assertTrue(err.toString().contains("dataset.json recorded") && err.toString().contains("labelbeam check"),
        err.toString());
    assertFalse(Files.exists(tmp.resolve("eval").resolve(EvaluatePipeline.METRICS_FILE)), "no report of other data");

    // a train shard with a record written twice
    Path train = shards.resolve(info.shards.get("train").get(1));
    recs = records(train);
    recs.add(recs.get(0));
    write(train, recs);
    err = new StringWriter();
    code = TestCli.run(err, "train", "--shards", shards.toString(), "--output", tmp.resolve("model2").toString(),
        "--epochs", "1", "--batch-size", "16", "--width", "4", "--device", "cpu");
    assertEquals(1, code, err.toString());
    assertTrue(err.toString().contains(train.getFileName().toString()) && err.toString().contains("dataset.json recorded"),
        err.toString());
  }


  static List<byte[]> records(Path shard) throws Exception {
    List<byte[]> out = new ArrayList<>();
    try (TfRecordReader r = TfRecordReader.open(shard)) {
      for (byte[] d = r.next(); d != null; d = r.next()) {
        out.add(d);
      }
    }
    return out;
  }

  static void write(Path shard, List<byte[]> recs) throws Exception {
    List<byte[]> copy = new ArrayList<>(recs);
    try (OutputStream o = Files.newOutputStream(shard); TfRecordWriter w = new TfRecordWriter(o)) {
      for (byte[] d : copy) {
        w.write(d);
      }
    }
  }
}
