package dev.labelbeam.trainer.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.pickle.RestrictedUnpickler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PyTorch's torch.save format of a state dict, from fixtures made once by {@code make_pth_fixtures.py}
 * beside them (the zip layout and pickle of torch.save, written without torch): every dtype, a storage
 * shared by two tensors, a transposed tensor, a parameter; a pickled whole model refused by its class.
 */
class PthFileTest {

  private static Path fixture(Path tmp, String name) throws IOException {
    try (InputStream in = PthFileTest.class.getResourceAsStream(name)) {
      Path f = tmp.resolve(name);
      Files.write(f, in.readAllBytes());
      return f;
    }
  }

  @Test
  void everyDtypeSharedStoragesAndStridesReadBack(@TempDir Path tmp) throws Exception {
    Map<String, Safetensors.Entry> t = PthFile.read(fixture(tmp, "state_dict.pth"));
    assertEquals(List.of("fc.weight", "fc.weight_t", "fc.bias", "half", "bfloat", "bn.num_batches_tracked", "ints",
        "mask", "double"), List.copyOf(t.keySet()));
    assertArrayEquals(new long[] {2, 3}, t.get("fc.weight").shape);
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.get("fc.weight").floats);
    assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, t.get("fc.weight_t").floats, "strides (1, 3)");
    assertArrayEquals(new float[] {5, 6}, t.get("fc.bias").floats, "offset 4 into the shared storage");
    assertArrayEquals(new float[] {0.5f, -1.5f, 2f}, t.get("half").floats);
    assertArrayEquals(new float[] {1f, -2f, 0.15625f}, t.get("bfloat").floats);
    assertArrayEquals(new long[] {7}, t.get("bn.num_batches_tracked").longs);
    assertArrayEquals(new long[0], t.get("bn.num_batches_tracked").shape);
    assertArrayEquals(new long[] {-3, 4}, t.get("ints").longs);
    assertArrayEquals(new long[] {1, 0, 1}, t.get("mask").longs);
    assertArrayEquals(new float[] {0.25f, 8f}, t.get("double").floats);
    // and the same through the loader's dispatch by extension, to safetensors and back
    Map<String, Safetensors.Entry> viaLoader = StateDicts.readWeights(tmp.resolve("state_dict.pth"));
    Safetensors.write(tmp.resolve("w.safetensors"), viaLoader, Map.of());
    assertArrayEquals(t.get("fc.weight_t").floats, Safetensors.read(tmp.resolve("w.safetensors")).get("fc.weight_t").floats);
  }

  @Test
  void writtenPthReadsBackWithAlignedStoredEntries(@TempDir Path tmp) throws Exception {
    Map<String, Safetensors.Entry> original = PthFile.read(fixture(tmp, "state_dict.pth"));
    Map<String, Safetensors.Entry> big = new java.util.LinkedHashMap<>(original);
    big.put("huge_dim", Safetensors.Entry.i64(new long[] {1}, new long[] {(1L << 40) + 3})); // LONG1 value
    Path out = tmp.resolve("out.pth");
    PthWriter.write(out, big, "out");
    Map<String, Safetensors.Entry> back = PthFile.read(out);
    assertEquals(List.copyOf(big.keySet()), List.copyOf(back.keySet()), "names in order");
    for (String k : big.keySet()) {
      assertArrayEquals(big.get(k).shape, back.get(k).shape, k);
      assertEquals(big.get(k).dtype, back.get(k).dtype, k);
      if (big.get(k).floats != null) {
        assertArrayEquals(big.get(k).floats, back.get(k).floats, k);
      } else {
        assertArrayEquals(big.get(k).longs, back.get(k).longs, k);
      }
    }
    // torch.save's layout: stored entries whose data starts at a multiple of 64 bytes
    byte[] zip = Files.readAllBytes(out);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(zip).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    List<String> names = new java.util.ArrayList<>();
    int at = 0;
    while (b.getInt(at) == 0x04034b50) {
      assertEquals(0, b.getShort(at + 8), "stored, not deflated");
      int nameLength = b.getShort(at + 26);
      int extraLength = b.getShort(at + 28);
      names.add(new String(zip, at + 30, nameLength, java.nio.charset.StandardCharsets.UTF_8));
      int data = at + 30 + nameLength + extraLength;
      assertEquals(0, data % 64, names.get(names.size() - 1) + " starts at " + data);
      at = data + b.getInt(at + 18);
    }
    assertEquals(List.of("out/data.pkl", "out/byteorder"), names.subList(0, 2));
    assertEquals("out/version", names.get(names.size() - 1));
    assertEquals(big.size() + 3, names.size(), "one storage per tensor");
  }

  @Test
  void aPickledWholeModelIsRefusedByItsClass(@TempDir Path tmp) throws Exception {
    IOException e = assertThrows(IOException.class, () -> PthFile.read(fixture(tmp, "whole_model.pth")));
    assertTrue(e instanceof RestrictedUnpickler.Refused, e.toString());
    assertTrue(e.getMessage().contains("torchvision.models.resnet.ResNet"), e.getMessage());
  }

  @org.junit.jupiter.api.Test
  void aLegacyTorchSaveFileSaysHowToConvertIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
    // torch.save(..., _use_new_zipfile_serialization=False) starts with a pickled magic number, protocol 2
    java.nio.file.Path legacy = java.nio.file.Files.write(tmp.resolve("old.pth"),
        new byte[] {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a,
            (byte) 0xa8, 0x50, 0x19, 0x2e});
    java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
        () -> PthFile.read(legacy));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("legacy torch.save format")
        && e.getMessage().contains("torch.save(torch.load("), e.getMessage());
  }
}
