package dev.labelbeam.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.trainer.model.ModelSpec;
import dev.labelbeam.trainer.model.MultiLabelModel;
import dev.labelbeam.trainer.weights.Safetensors;
import dev.labelbeam.trainer.weights.StateDicts;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output shapes, torchvision's names, and weights through safetensors. */
class ModelsAndWeightsTest {
  @BeforeAll
  static void load() {
    TorchRuntime.load();
  }

  static MultiLabelModel build(String arch, int classes) {
    ModelSpec s = new ModelSpec();
    s.arch = arch;
    s.numClasses = classes;
    s.imageSize = 64;
    return s.build();
  }

  static float[] logits(MultiLabelModel m, Tensor x) {
    m.eval();
    try (NoGradGuard g = new NoGradGuard()) {
      Tensor out = m.forward(x).contiguous();
      float[] v = new float[(int) out.numel()];
      ((FloatBuffer) out.createBuffer()).get(v);
      return v;
    }
  }

  @Test
  void everyModelHasTheRightOutputShapeAndNames() {
    // torchvision's state_dict sizes: parameters + running stats + num_batches_tracked
    Map<String, Integer> keys = Map.of("small_cnn", 26, "resnet18", 122, "resnet34", 218, "resnet50", 320);
    for (String arch : keys.keySet()) {
      try (PointerScope s = new PointerScope()) {
        MultiLabelModel m = build(arch, 7);
        Tensor x = torch.randn(2, 3, 64, 64);
        assertArrayEquals(new long[] {2, 7}, m.forward(x).shape(), arch);
        Map<String, Tensor> sd = StateDicts.stateDict(m);
        assertEquals(keys.get(arch), sd.size(), arch + " state dict " + sd.keySet());
        if (!arch.equals("small_cnn")) {
          for (String name : new String[] {"conv1.weight", "bn1.running_var", "layer1.0.conv1.weight",
              "layer2.0.downsample.0.weight", "layer2.0.downsample.1.running_mean", "layer4.1.bn2.num_batches_tracked", "fc.bias"}) {
            assertTrue(sd.containsKey(name), arch + " lacks " + name);
          }
        }
      }
    }
  }

  @Test
  void safetensorsRoundTripAndFineTuneImport(@TempDir Path tmp) throws Exception {
    try (PointerScope s = new PointerScope()) {
      MultiLabelModel a = build("resnet18", 5);
      Tensor x = torch.randn(2, 3, 64, 64);
      float[] before = logits(a, x);
      Path f = tmp.resolve("r18.safetensors");
      StateDicts.save(a, f, Map.of("arch", "resnet18"));
      Map<String, Safetensors.Entry> raw = Safetensors.read(f);
      assertEquals("I64", raw.get("bn1.num_batches_tracked").dtype);
      assertArrayEquals(new long[] {64, 3, 7, 7}, raw.get("conv1.weight").shape);

      MultiLabelModel b = build("resnet18", 5);
      StateDicts.LoadReport r = StateDicts.load(b, f, true);
      assertEquals(122, r.loaded.size());
      assertArrayEquals(before, logits(b, x), 0f, "same weights, same logits");

      // fine-tuning: a 1000-class checkpoint into a 5-class model keeps the backbone, replaces fc
      MultiLabelModel imagenet = build("resnet18", 1000);
      Path g = tmp.resolve("imagenet.safetensors");
      StateDicts.save(imagenet, g, Map.of());
      MultiLabelModel c = build("resnet18", 5);
      StateDicts.LoadReport fine = StateDicts.load(c, g, false);
      assertEquals(120, fine.loaded.size());
      assertEquals(2, fine.shapeMismatch.size());
      assertTrue(fine.shapeMismatch.get(0).startsWith("fc."), fine.toString());
    }
  }

  @Test
  void halfAndBfloatTensorsAreRead(@TempDir Path tmp) throws Exception {
    // a safetensors file written byte by byte: F16 [1.0, -2.0, 2^-14] and BF16 [1.0, -2.5]
    String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},"
        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[6,10]}}";
    byte[] h = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8 + h.length + 10).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    buf.putLong(h.length).put(h);
    buf.putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x0400);
    buf.putShort((short) 0x3F80).putShort((short) 0xC020);
    Path f = tmp.resolve("half.safetensors");
    java.nio.file.Files.write(f, buf.array());
    Map<String, Safetensors.Entry> t = Safetensors.read(f);
    org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {1.0f, -2.0f, 6.1035156e-5f}, t.get("h").floats);
    org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {1.0f, -2.5f}, t.get("b").floats);
  }
}
