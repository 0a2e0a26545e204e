package dev.labelbeam.trainer.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.labelbeam.shard.Json;
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
  /** Size in bytes and SHA-256 of {@code model.pt} as written; checked when loading (null in older models). */
  public Long weightsBytes;
  public String weightsSha256;

  /** Largest input size a model may claim: a larger one would make scoring allocate gigabytes per batch. */
  public static final int MAX_IMAGE_SIZE = 2048;

  /**
   * Checks that this spec can describe a model; the message names {@code model.json} and the field.
   *
   * @throws IllegalArgumentException for no classes, labels that do not match the class count, or an
   *     input size outside [8, {@value #MAX_IMAGE_SIZE}]
   */
  public void validate(String where) {
    if (numClasses < 1) {
      throw new IllegalArgumentException(where + ": numClasses is " + numClasses + "; a model has at least one class");
    }
    if (labels.size() != numClasses) {
      throw new IllegalArgumentException(where + ": numClasses is " + numClasses + " but it lists " + labels.size()
          + " labels");
    }
    if (imageSize < 8 || imageSize > MAX_IMAGE_SIZE) {
      throw new IllegalArgumentException(where + ": imageSize is " + imageSize + ", allowed 8 to " + MAX_IMAGE_SIZE);
    }
  }

  /** The spec of a {@code small_cnn} of {@code width} channels for these classes and input size. */
  public static ModelSpec smallCnn(List<String> labels, int width, int imageSize) {
    ModelSpec s = new ModelSpec();
    s.arch = SmallCnn.NAME;
    s.width = width;
    s.numClasses = labels.size();
    s.labels = new ArrayList<>(labels);
    s.imageSize = imageSize;
    return s;
  }

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
