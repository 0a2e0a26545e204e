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

/** convert writes a .pth state dict as safetensors; train --init refuses a pickled whole model by its class. */
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
