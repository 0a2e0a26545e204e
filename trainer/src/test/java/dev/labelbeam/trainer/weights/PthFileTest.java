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
  void aPickledWholeModelIsRefusedByItsClass(@TempDir Path tmp) throws Exception {
    IOException e = assertThrows(IOException.class, () -> PthFile.read(fixture(tmp, "whole_model.pth")));
    assertTrue(e instanceof RestrictedUnpickler.Refused, e.toString());
    assertTrue(e.getMessage().contains("torchvision.models.resnet.ResNet"), e.getMessage());
  }
}
