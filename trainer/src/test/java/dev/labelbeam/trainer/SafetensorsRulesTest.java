package dev.labelbeam.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.trainer.weights.Safetensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crafted safetensors files are refused by the format's own rules, with a message naming the tensor:
 * once a JSON array header passed (0 tensors: training from random init with exit 0), a missing dtype
 * threw a NullPointerException, an end offset near 2^63 overflowed ("error: null"), overlapping tensors
 * were accepted and a 10 GB shape printed "-1794967296 values".
 */
class SafetensorsRulesTest {

  /** A file of {@code header} (JSON) and {@code dataBytes} zero bytes of data. */
  private static Path file(Path dir, String name, String header, int dataBytes) throws IOException {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(json.length).put(json);
    Path f = dir.resolve(name);
    Files.write(f, b.array());
    return f;
  }

  private static String failure(Path f) {
    return assertThrows(IOException.class, () -> Safetensors.read(f)).getMessage();
  }

  @Test
  void eachBrokenRuleIsNamed(@TempDir Path tmp) throws Exception {
    String ok = "{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}";
    assertArrayEquals(new float[] {0, 0}, Safetensors.read(file(tmp, "ok", ok, 8)).get("w").floats);

    assertTrue(failure(file(tmp, "array", "[]", 0)).contains("must be a JSON object"));
    assertTrue(failure(file(tmp, "nodtype", "{\"w\": {\"shape\": [2], \"data_offsets\": [0, 8]}}", 8))
        .contains("tensor 'w' has no dtype"));
    String huge = "{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 9223372036854775800]}}";
    assertTrue(failure(file(tmp, "overflow", huge, 8)).contains("outside the 8 data bytes"));
    String overlap = "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
        + " \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}";
    assertTrue(failure(file(tmp, "overlap", overlap, 12)).contains("overlaps"));
    String tenGb = "{\"w\": {\"dtype\": \"F32\", \"shape\": [50000, 50000], \"data_offsets\": [0, 8]}}";
    String m = failure(file(tmp, "tengb", tenGb, 8));
    assertTrue(m.contains("2500000000 F32 values") && m.contains("tensor 'w'"), m);
    String hole = "{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}";
    assertTrue(failure(file(tmp, "hole", hole, 8)).contains("hole"));
    String negative = "{\"w\": {\"dtype\": \"F32\", \"shape\": [-2], \"data_offsets\": [0, 8]}}";
    assertTrue(failure(file(tmp, "negative", negative, 8)).contains("non-negative integer"));
    Map<String, Safetensors.Entry> none = Safetensors.read(file(tmp, "empty", "{}", 0));
    assertTrue(none.isEmpty(), "an empty object is a valid file of no tensors");
    // ... but as --init it would train from random weights: refused
    TorchRuntime.load();
    dev.labelbeam.trainer.model.ModelSpec spec = dev.labelbeam.trainer.model.ModelSpec.smallCnn(
        java.util.List.of("a", "b", "c"), 4, 16);
    String m2 = assertThrows(IOException.class, () -> dev.labelbeam.trainer.weights.StateDicts.load(spec.build(),
        tmp.resolve("empty"), false)).getMessage();
    assertTrue(m2.contains("none of its 0 tensors"), m2);
  }
}
