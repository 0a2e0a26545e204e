package dev.labelbeam.trainer.inference;

import dev.labelbeam.trainer.TorchRuntime;
import dev.labelbeam.trainer.data.ImageTensorizer;
import dev.labelbeam.trainer.model.Checkpoints;
import dev.labelbeam.trainer.model.ModelSpec;
import dev.labelbeam.trainer.model.MultiLabelModel;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Scores encoded images with a trained checkpoint: per-class sigmoid probabilities. Runs without
 * autograd, on CUDA when available. One instance holds one model; not thread-safe (use one per
 * thread or per Beam {@code DoFn} instance), and {@link #close()} it to free the native model.
 */
public final class Predictor implements AutoCloseable {
  private final MultiLabelModel model;
  private final ModelSpec spec;
  private final ImageTensorizer tensorizer;
  private final Device device;

  private Predictor(MultiLabelModel model, ModelSpec spec, Device device) {
    this.model = model;
    this.spec = spec;
    this.tensorizer = new ImageTensorizer(spec.imageSize);
    this.device = device;
  }

  /** Loads the checkpoint in {@code modelDir} ({@code model.pt}, {@code model.json}). */
  public static Predictor load(Path modelDir, String deviceName) throws IOException {
    TorchRuntime.load();
    Device device = TorchRuntime.device(deviceName);
    MultiLabelModel model = Checkpoints.load(modelDir);
    if (device.is_cuda()) {
      model.to(device, false);
    }
    return new Predictor(model, ModelSpec.read(modelDir.resolve(ModelSpec.FILE_NAME)), device);
  }

  public ModelSpec spec() {
    return spec;
  }

  /** Per-class probabilities for each image, in input order. */
  public float[][] predict(List<byte[]> encodedImages) {
    int n = encodedImages.size();
    float[][] out = new float[n][];
    if (n == 0) {
      return out;
    }
    int per = tensorizer.floatsPerImage();
    float[] pixels = new float[n * per];
    for (int i = 0; i < n; i++) {
      tensorizer.tensorize(encodedImages.get(i), false, pixels, i * per);
    }
    int c = spec.numClasses;
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      Tensor x = Tensor.create(pixels, n, 3, spec.imageSize, spec.imageSize);
      if (device.is_cuda()) {
        x = x.to(device, torch.ScalarType.Float);
      }
      Tensor probs = torch.sigmoid(model.forward(x)).cpu().contiguous();
      FloatBuffer buf = probs.createBuffer();
      for (int i = 0; i < n; i++) {
        out[i] = new float[c];
        buf.get(out[i]);
      }
    }
    return out;
  }

  @Override
  public void close() {
    model.close();
  }
}
