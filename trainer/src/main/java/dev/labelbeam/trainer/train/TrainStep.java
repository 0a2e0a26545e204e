package dev.labelbeam.trainer.train;

import dev.labelbeam.trainer.distributed.GradientReducer;
import dev.labelbeam.trainer.model.MultiLabelModel;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.StringTensorDictItemVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * One optimization step of the trainer, as {@link Trainer} runs it and as the GPU benchmark measures
 * it: host batch to the device (pinned, non-blocking, channels_last on CUDA), forward under bf16
 * autocast on CUDA, the loss in float32, backward with the gradients averaged over the workers
 * while it runs (when a {@link GradientReducer} is given), optional gradient clipping, optimizer step.
 * Everything a step allocates natively is freed at its end ({@code PointerScope}).
 */
public final class TrainStep {
  private final MultiLabelModel model;
  private final MultiLabelLoss loss;
  private final Optimizer optimizer;
  private final Device device;
  private final GradientReducer reducer;
  private final double gradClip;

  /**
   * @param reducer averages gradients over the workers; null for a single worker
   * @param gradClip clip the gradients' global L2 norm to this; 0 disables
   */
  public TrainStep(MultiLabelModel model, MultiLabelLoss loss, Optimizer optimizer, Device device,
      GradientReducer reducer, double gradClip) {
    this.model = model;
    this.loss = loss;
    this.optimizer = optimizer;
    this.device = device;
    this.reducer = reducer;
    this.gradClip = gradClip;
  }

  /**
   * Runs one step on a host batch: {@code images} NCHW float32 of {@code n × 3 × size × size},
   * {@code targets} {@code n × numClasses} in {0, 1}, at learning rate {@code lr}. Returns the loss.
   */
  public double run(float[] images, float[] targets, int n, int size, int numClasses, double lr) {
    try (PointerScope scope = new PointerScope()) {
      Optimizers.setLearningRate(optimizer, lr);
      Tensor x = Tensor.create(images, n, 3, size, size);
      Tensor y = Tensor.create(targets, n, numClasses);
      optimizer.zero_grad();
      Tensor l;
      if (device.is_cuda()) {
        x = x.pin_memory().to(device, torch.ScalarType.Float, true, false, new MemoryFormatOptional())
            .contiguous(torch.MemoryFormat.ChannelsLast); // channels_last activations for cuDNN
        y = y.pin_memory().to(device, torch.ScalarType.Float, true, false, new MemoryFormatOptional());
        torch.set_autocast_dtype(torch.DeviceType.CUDA, torch.ScalarType.BFloat16);
        torch.set_autocast_enabled(torch.DeviceType.CUDA, true);
        Tensor logits;
        try {
          logits = model.forward(x);
        } finally {
          torch.set_autocast_enabled(torch.DeviceType.CUDA, false);
        }
        l = loss.apply(logits.to(torch.ScalarType.Float), y);
      } else {
        l = loss.apply(model.forward(x), y);
      }
      if (reducer != null) {
        reducer.prepare(); // gradients are averaged in buckets while backward runs
      }
      l.backward();
      if (reducer != null) {
        reducer.finish();
      }
      if (gradClip > 0) {
        torch.clip_grad_norm_(trainable(model), gradClip);
      }
      optimizer.step();
      return l.item_double();
    }
  }

  /** The parameters that require gradients, each an own reference (item values point into the vector). */
  static TensorVector trainable(MultiLabelModel model) {
    List<Tensor> ps = new ArrayList<>();
    StringTensorDictItemVector items = model.named_parameters(true).items();
    for (long i = 0; i < items.size(); i++) {
      if (items.get(i).value().requires_grad()) {
        ps.add(new Tensor(items.get(i).value()));
      }
    }
    return new TensorVector(ps.toArray(new Tensor[0]));
  }
}
