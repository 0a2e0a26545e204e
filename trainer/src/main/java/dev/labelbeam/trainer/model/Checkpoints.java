package dev.labelbeam.trainer.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;

/**
 * Saves and loads a model folder: {@code model.pt} (LibTorch archive of parameters and buffers) and
 * {@code model.json} ({@link ModelSpec}). Files are written to a temporary name and renamed, so a
 * reader never sees a half-written checkpoint.
 */
public final class Checkpoints {
  public static final String WEIGHTS = "model.pt";

  private Checkpoints() {}

  /** Writes {@code dir/model.pt} and {@code dir/model.json} atomically. */
  public static void save(MultiLabelModel model, ModelSpec spec, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path tmpWeights = dir.resolve(WEIGHTS + ".tmp");
    OutputArchive archive = new OutputArchive();
    model.save(archive);
    archive.save_to(tmpWeights.toString());
    archive.close();
    Path tmpSpec = dir.resolve(ModelSpec.FILE_NAME + ".tmp");
    spec.write(tmpSpec);
    Files.move(tmpWeights, dir.resolve(WEIGHTS), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Files.move(tmpSpec, dir.resolve(ModelSpec.FILE_NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Rebuilds the model of {@code dir} and loads its weights (in eval mode). */
  public static MultiLabelModel load(Path dir) throws IOException {
    ModelSpec spec = ModelSpec.read(dir.resolve(ModelSpec.FILE_NAME));
    MultiLabelModel model = spec.build();
    Path weights = dir.resolve(WEIGHTS);
    if (!Files.isRegularFile(weights)) {
      throw new IOException("no weights at " + weights);
    }
    InputArchive archive = new InputArchive();
    archive.load_from(weights.toString());
    model.load(archive);
    archive.close();
    model.eval();
    return model;
  }
}
