package dev.labelbeam.shard;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Fuzz tests of the shard readers. Without {@code JAZZER_FUZZ} they run the committed corpus
 * ({@code src/test/resources/dev/labelbeam/shard/ShardFuzzTestInputs/<method>/}) as regression tests;
 * {@code benchmarks/scripts/fuzz.sh} fuzzes them. A finding is any exception other than the
 * documented ones, or a hang; memory is bounded by the input (a record length that lies allocates no
 * more than the bytes that follow it).
 */
class ShardFuzzTest {

  /** TFRecord framing: a corrupt or cut file fails with {@link TfRecordReader.CorruptRecordException} only. */
  @FuzzTest(maxDuration = "120s", maxExecutions = 500000)
  void tfRecordReader(byte[] data) {
    try (TfRecordReader r = new TfRecordReader(new ByteArrayInputStream(data), "fuzz")) {
      while (r.next() != null) {
        // read every record
      }
    } catch (TfRecordReader.CorruptRecordException expected) {
      // documented
    } catch (IOException e) {
      throw new AssertionError("an IOException other than CorruptRecordException from memory: " + e, e);
    }
  }

  /** A record's payload: anything that is not our tf.train.Example fails with IllegalArgumentException. */
  @FuzzTest(maxDuration = "120s", maxExecutions = 200000)
  void imageRecordParse(byte[] data) {
    try {
      ImageRecord.parse(data);
    } catch (IllegalArgumentException expected) {
      // documented
    }
  }

  /** dataset.json: any text either parses or fails with IllegalArgumentException naming the file kind. */
  @FuzzTest(maxDuration = "120s", maxExecutions = 200000)
  void datasetJson(byte[] text) {
    try {
      DatasetInfo.fromJson(new String(text, java.nio.charset.StandardCharsets.UTF_8));
    } catch (IllegalArgumentException expected) {
      // documented
    }
  }
}
