package dev.labelbeam.trainer.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz test of the safetensors reader (train --init). Without {@code JAZZER_FUZZ} it runs the
 * committed corpus ({@code src/test/resources/dev/labelbeam/trainer/weights/WeightsFuzzTestInputs/});
 * {@code benchmarks/scripts/fuzz.sh} fuzzes it. Any input either reads or fails with an IOException
 * naming the file; memory stays within the file's own size (values are counted against the bytes
 * their offsets span before anything is allocated).
 */
class WeightsFuzzTest {
  private static final Path FILE;

  static {
    try {
      FILE = Files.createTempFile("fuzz", ".safetensors");
      FILE.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "120s", maxExecutions = 30000)
  void safetensors(byte[] data) throws IOException {
    Files.write(FILE, data);
    try {
      Safetensors.read(FILE);
    } catch (IOException documented) {
      // refused with a message
    }
  }
}
