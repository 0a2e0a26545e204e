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
    Path existing = dir.resolve(WEIGHTS);
    DiskSpace.require(dir, Files.exists(existing) ? Files.size(existing) : 0, "model.pt");
    Path tmpWeights = dir.resolve(WEIGHTS + ".tmp");
    OutputArchive archive = new OutputArchive();
    model.save(archive);
    archive.save_to(tmpWeights.toString());
    archive.close();
    spec.weightsBytes = Files.size(tmpWeights);
    spec.weightsSha256 = sha256(tmpWeights);
    Path tmpSpec = dir.resolve(ModelSpec.FILE_NAME + ".tmp");
    spec.write(tmpSpec);
    Files.move(tmpWeights, dir.resolve(WEIGHTS), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Files.move(tmpSpec, dir.resolve(ModelSpec.FILE_NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Rebuilds the model of {@code dir} and loads its weights (in eval mode), after checking
   * {@code model.json} (see {@link ModelSpec#validate}) and the weights' size and SHA-256 against it:
   * a damaged {@code model.pt} once loaded and scored near chance with exit code 0.
   */
  public static MultiLabelModel load(Path dir) throws IOException {
    Path specFile = dir.resolve(ModelSpec.FILE_NAME);
    ModelSpec spec = ModelSpec.read(specFile);
    spec.validate(specFile.toString());
    Path weights = dir.resolve(WEIGHTS);
    if (!Files.isRegularFile(weights)) {
      throw new IOException("no weights at " + weights);
    }
    verify(weights, spec);
    MultiLabelModel model = spec.build();
    InputArchive archive = new InputArchive();
    try {
      archive.load_from(weights.toString());
      model.load(archive);
    } catch (RuntimeException e) {
      throw new IOException(weights + " does not load into the " + spec.arch + " of " + specFile + ": " + e.getMessage(), e);
    } finally {
      archive.close();
    }
    model.eval();
    checkOutputs(model, spec, specFile);
    return model;
  }

  /** The weights' size and digest against those model.json recorded (older models recorded none). */
  private static void verify(Path weights, ModelSpec spec) throws IOException {
    if (spec.weightsBytes != null && Files.size(weights) != spec.weightsBytes) {
      throw new IOException(weights + " has " + Files.size(weights) + " bytes, model.json recorded " + spec.weightsBytes
          + ": the file was cut or replaced. Copy the model folder again, or retrain");
    }
    if (spec.weightsSha256 != null && !spec.weightsSha256.equals(sha256(weights))) {
      throw new IOException(weights + " does not match the SHA-256 model.json recorded: the file is damaged. Copy the "
          + "model folder again, or retrain");
    }
  }

  /** One forward pass on a small blank image: the classifier must give model.json's class count. */
  private static void checkOutputs(MultiLabelModel model, ModelSpec spec, Path specFile) {
    try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope();
        org.bytedeco.pytorch.NoGradGuard noGrad = new org.bytedeco.pytorch.NoGradGuard()) {
      org.bytedeco.pytorch.Tensor out = model.forward(org.bytedeco.pytorch.global.torch.zeros(1, 3, 32, 32));
      long classes = out.size(1);
      if (classes != spec.numClasses) {
        throw new IllegalArgumentException(specFile + " says " + spec.numClasses + " classes, but the weights give "
            + classes);
      }
    }
  }

  private static String sha256(Path file) throws IOException {
    try (java.io.InputStream in = Files.newInputStream(file)) {
      java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n = in.read(buf); n > 0; n = in.read(buf)) {
        md.update(buf, 0, n);
      }
      return java.util.HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
