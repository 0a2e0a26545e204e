package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.cli.LabelbeamCli;
import dev.labelbeam.trainer.weights.Safetensors;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** convert writes a .pth state dict as safetensors and back; train --init refuses a pickled whole model by its class. */
class PthWeightsCliTest {

  private static Path fixture(Path tmp, String name) throws Exception {
    try (InputStream in = PthWeightsCliTest.class.getResourceAsStream("/dev/labelbeam/trainer/weights/" + name)) {
      Path f = tmp.resolve(name);
      Files.write(f, in.readAllBytes());
      return f;
    }
  }

  @Test
  void convertAndRefuse(@TempDir Path tmp) throws Exception {
    Path pth = fixture(tmp, "state_dict.pth");
    assertEquals(0, LabelbeamCli.commandLine().execute("convert", "--from", pth.toString(), "--to",
        tmp.resolve("w.safetensors").toString()));
    assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6},
        Safetensors.read(tmp.resolve("w.safetensors")).get("fc.weight_t").floats);
    // and back: safetensors -> .pth, which reads back to the same tensors (PyTorch's load_state_dict takes it)
    assertEquals(0, LabelbeamCli.commandLine().execute("convert", "--from", tmp.resolve("w.safetensors").toString(),
        "--to", tmp.resolve("back.pth").toString()));
    java.util.Map<String, Safetensors.Entry> st = Safetensors.read(tmp.resolve("w.safetensors"));
    java.util.Map<String, Safetensors.Entry> pthBack = dev.labelbeam.trainer.weights.PthFile.read(tmp.resolve("back.pth"));
    assertEquals(st.keySet(), pthBack.keySet());
    for (String k : st.keySet()) {
      assertArrayEquals(st.get(k).shape, pthBack.get(k).shape, k);
      assertArrayEquals(st.get(k).floats, pthBack.get(k).floats, k);
      assertArrayEquals(st.get(k).longs, pthBack.get(k).longs, k);
    }
    assertEquals(2, LabelbeamCli.commandLine().setErr(new PrintWriter(new StringWriter())).execute("convert", "--from",
        pth.toString(), "--to", tmp.resolve("w.bin").toString()), "an unknown target format is a usage error");

    Path model = fixture(tmp, "whole_model.pth");
    Path shards = TestDatasets.preprocess(tmp, 24, 32, 1, 16, 0, 1);
    StringWriter err = new StringWriter();
    int code = LabelbeamCli.commandLine().setErr(new PrintWriter(err)).execute("train", "--shards", shards.toString(),
        "--output", tmp.resolve("m").toString(), "--init", model.toString(), "--epochs", "1", "--device", "cpu");
    assertEquals(1, code);
    assertTrue(err.toString().contains("torchvision.models.resnet.ResNet") && err.toString().contains("not allowed"),
        err.toString());
  }
}
