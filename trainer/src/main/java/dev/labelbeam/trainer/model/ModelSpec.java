package dev.labelbeam.trainer.model;

import dev.labelbeam.shard.Json;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a checkpoint needs besides its weights ({@code model.json} beside {@code model.pt}): the
 * architecture, the classes and the input size, so that inference rebuilds the same network and
 * preprocessing.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public final class ModelSpec implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final String FILE_NAME = "model.json";

  public String arch = SmallCnn.NAME;
  public int width = 16;
  /** Batch norm in {@code small_cnn}. */
  public boolean batchNorm = true;
  public int numClasses;
  public int imageSize;
  public List<String> labels = new ArrayList<>();

  /** Builds the (untrained) network this spec describes. */
  public MultiLabelModel build() {
    if (SmallCnn.NAME.equals(arch)) {
      return new SmallCnn(numClasses, width, batchNorm);
    }
    if (ResNet.isResNet(arch)) {
      return new ResNet(arch, numClasses);
    }
    throw new IllegalArgumentException("unknown model architecture '" + arch + "' (known: " + SmallCnn.NAME
        + ", resnet18, resnet34, resnet50)");
  }

  public void write(Path file) throws IOException {
    Files.writeString(file, Json.write(this));
  }

  public static ModelSpec read(Path file) throws IOException {
    return Json.read(Files.readString(file), ModelSpec.class, "model.json");
  }
}
