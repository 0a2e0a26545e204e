package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.transforms.PreprocessImages;
import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code labelbeam preprocess} as a user runs it on a folder where one JPEG's scan was cut short and
 * closed with an end marker (a transfer cut off, then "repaired"): OpenCV decodes it without an error,
 * half of it gray. By default it is dead-lettered as {@code corrupt_data} with libjpeg's reason, and the
 * counts add up; {@code --accept-corrupt-jpeg} keeps it.
 */
class CorruptJpegPreprocessTest {

  /** The JPEG cut in the middle of its scan data, an end marker appended. */
  static byte[] cutMidScan(byte[] jpeg) {
    int i = 2;
    while ((jpeg[i + 1] & 0xff) != 0xDA) {
      i += 2 + (((jpeg[i + 2] & 0xff) << 8) | (jpeg[i + 3] & 0xff));
    }
    int scan = i + 2 + (((jpeg[i + 2] & 0xff) << 8) | (jpeg[i + 3] & 0xff));
    int at = scan + (jpeg.length - scan) / 2;
    if ((jpeg[at - 1] & 0xff) == 0xFF) {
      at--;
    }
    byte[] cut = Arrays.copyOf(jpeg, at + 2);
    cut[at] = (byte) 0xFF;
    cut[at + 1] = (byte) 0xD9;
    return cut;
  }

  @Test
  void aCorruptJpegIsDeadLetteredUnlessAccepted(@TempDir Path tmp) throws Exception {
    Path manifest = SyntheticShapes.generate(tmp.resolve("data"), 20, 96, 3);
    Path victim = tmp.resolve("data/images/000003.jpg");
    Files.write(victim, cutMidScan(Files.readAllBytes(victim)));

    Path strict = tmp.resolve("strict");
    assertEquals(0, TestCli.run("preprocess", "--manifest", manifest.toString(), "--output", strict.toString(),
        "--resize", "shorter:32", "--val-fraction", "0", "--runner=DirectRunner"));
    DatasetInfo info = TestDatasets.info(strict);
    assertEquals(Map.of("corrupt_data", 1L), info.deadLetters);
    assertEquals(20, info.inputRecords);
    assertEquals(19, info.records("train"));
    String dead = Files.readString(strict.resolve(PreprocessImages.DEAD_LETTER_FILE));
    assertTrue(dead.contains("000003.jpg") && dead.contains("\"reason\":\"corrupt_data\"")
        && dead.contains("corrupt JPEG data: premature end of data segment in scan 1 at MCU "), dead);
    assertEquals("false", info.options.get("acceptCorruptJpeg"));

    Path lenient = tmp.resolve("lenient");
    assertEquals(0, TestCli.run("preprocess", "--manifest", manifest.toString(), "--output", lenient.toString(),
        "--resize", "shorter:32", "--val-fraction", "0", "--accept-corrupt-jpeg", "--runner=DirectRunner"));
    DatasetInfo kept = TestDatasets.info(lenient);
    assertEquals(Map.of(), kept.deadLetters);
    assertEquals(20, kept.records("train"));
    assertEquals("true", kept.options.get("acceptCorruptJpeg"));
  }
}
