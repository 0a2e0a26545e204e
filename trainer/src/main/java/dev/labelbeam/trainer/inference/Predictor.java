package dev.labelbeam.trainer.inference;

import dev.labelbeam.shard.Storage;
import dev.labelbeam.trainer.DeviceChoice;
import dev.labelbeam.trainer.TorchRuntime;
import dev.labelbeam.trainer.data.ImageTensorizer;
import dev.labelbeam.trainer.model.Checkpoints;
import dev.labelbeam.trainer.model.ModelFolders;
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
 * autograd, on CUDA when available, there under bf16 autocast (the sigmoid in float32). One instance holds one model; not thread-safe (use one per
 * thread or per Beam {@code DoFn} instance), and {@link #close()} it to free the native model.
 */
public final class Predictor implements AutoCloseable {
  private final MultiLabelModel model;
  private final ModelSpec spec;
  private final ImageTensorizer tensorizer;
  private final Device device;
  /** Every forward pass has this many images (0: as many as given); see {@link #withFixedBatch}. */
  private int fixedBatch;

  private Predictor(MultiLabelModel model, ModelSpec spec, Device device) {
    this.model = model;
    this.spec = spec;
    this.tensorizer = new ImageTensorizer(spec.imageSize);
    this.device = device;
  }

  /**
   * Loads the checkpoint in {@code modelDir} ({@code model.pt}, {@code model.json}) on any filesystem
   * {@code storage} reads (a URL's folder is copied to a local one first, see {@link ModelFolders}).
   */
  public static Predictor load(String modelDir, Storage storage, DeviceChoice deviceChoice) throws IOException {
    return load(ModelFolders.local(modelDir, storage), deviceChoice);
  }

  /** Loads the checkpoint in the local folder {@code modelDir} ({@code model.pt}, {@code model.json}). */
  public static Predictor load(Path modelDir, DeviceChoice deviceChoice) throws IOException {
    TorchRuntime.load();
    Device device = TorchRuntime.device(deviceChoice);
    MultiLabelModel model = Checkpoints.load(modelDir);
    if (device.is_cuda()) {
      model.to(device, false);
    }
    return new Predictor(model, ModelSpec.read(modelDir.resolve(ModelSpec.FILE_NAME)), device);
  }

  /**
   * Runs every forward pass on exactly {@code n} images: fewer are padded with zeros (their scores
   * dropped), more are split. LibTorch's kernels depend on the batch's size (a ResNet-18 image scored
   * alone, in a batch of 8 or of 13 gets logits up to 1.2e-6 apart), so without this an image's score
   * depended on how a runner happened to cut its bundles, and the same evaluation on two runners could
   * put a score in another histogram bin. With it, an image scores the same in any batch.
   */
  public Predictor withFixedBatch(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("the fixed batch must be >= 1, was " + n);
    }
    fixedBatch = n;
    return this;
  }

  public ModelSpec spec() {
    return spec;
  }

  /**
   * Per-class probabilities for each image, in input order.
   *
   * @throws IllegalArgumentException when an image does not decode (see {@link #predictEach})
   */
  public float[][] predict(List<byte[]> encodedImages) {
    int n = encodedImages.size();
    int per = tensorizer.floatsPerImage();
    float[] pixels = new float[n * per];
    for (int i = 0; i < n; i++) {
      tensorizer.tensorize(encodedImages.get(i), false, pixels, i * per);
    }
    return forward(pixels, n);
  }

  /**
   * Like {@link #predict}, but an image that does not decode gets {@code null} and its error in
   * {@code errors[i]} instead of failing the batch.
   */
  public float[][] predictEach(List<dev.labelbeam.shard.ImageRecord> records, String[] errors) {
    int n = records.size();
    int per = tensorizer.floatsPerImage();
    float[] pixels = new float[n * per];
    int[] slot = new int[n];
    int good = 0;
    for (int i = 0; i < n; i++) {
      try {
        tensorizer.tensorize(records.get(i), false, pixels, good * per);
        slot[i] = good++;
      } catch (RuntimeException e) {
        slot[i] = -1;
        errors[i] = e.getMessage();
      }
    }
    // the tensor holds the good images only: its data must be exactly good × per floats
    float[][] scored = forward(good == n ? pixels : java.util.Arrays.copyOf(pixels, good * per), good);
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) {
      out[i] = slot[i] < 0 ? null : scored[slot[i]];
    }
    return out;
  }

  private float[][] forward(float[] pixels, int n) {
    if (fixedBatch == 0 || n == fixedBatch || n == 0) {
      return forwardAsGiven(pixels, n);
    }
    int per = tensorizer.floatsPerImage();
    float[][] out = new float[n][];
    for (int start = 0; start < n; start += fixedBatch) {
      int take = Math.min(fixedBatch, n - start);
      float[] chunk = new float[fixedBatch * per]; // zeros past the last image
      System.arraycopy(pixels, start * per, chunk, 0, take * per);
      float[][] scored = forwardAsGiven(chunk, fixedBatch);
      System.arraycopy(scored, 0, out, start, take);
    }
    return out;
  }

  private float[][] forwardAsGiven(float[] pixels, int n) {
    float[][] out = new float[n][];
    if (n == 0) {
      return out;
    }
    int c = spec.numClasses;
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      Tensor x = Tensor.create(pixels, n, 3, spec.imageSize, spec.imageSize);
      Tensor logits;
      if (device.is_cuda()) {
        x = x.to(device, torch.ScalarType.Float).contiguous(torch.MemoryFormat.ChannelsLast);
        // autocast state is per thread: switch it on around this forward pass only
        torch.set_autocast_dtype(torch.DeviceType.CUDA, torch.ScalarType.BFloat16);
        torch.set_autocast_enabled(torch.DeviceType.CUDA, true);
        try {
          logits = model.forward(x);
        } finally {
          torch.set_autocast_enabled(torch.DeviceType.CUDA, false);
        }
        logits = logits.to(torch.ScalarType.Float);
      } else {
        logits = model.forward(x);
      }
      Tensor probs = torch.sigmoid(logits).cpu().contiguous();
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
