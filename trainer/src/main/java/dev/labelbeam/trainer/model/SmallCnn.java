package dev.labelbeam.trainer.model;

import static org.bytedeco.pytorch.global.torch.adaptive_avg_pool2d;
import static org.bytedeco.pytorch.global.torch.flatten;
import static org.bytedeco.pytorch.global.torch.max_pool2d;
import static org.bytedeco.pytorch.global.torch.relu;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.BatchNormOptions;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * A small, fast CNN for the demo and the tests: four 3×3 conv-BN-ReLU blocks (width doubling from
 * {@code width}), 2×2 max pooling after the first three, global average pooling and a linear
 * classifier. About 100K parameters at width 16. Without batch norm (convolutions then have biases)
 * a step's gradient is the plain mean over the batch, which the data-parallel equivalence tests need.
 */
public final class SmallCnn extends MultiLabelModel {
  public static final String NAME = "small_cnn";

  private final Conv2dImpl[] convs = new Conv2dImpl[4];
  private final BatchNorm2dImpl[] norms = new BatchNorm2dImpl[4];
  private final LinearImpl fc;

  public SmallCnn(int numClasses, int width) {
    this(numClasses, width, true);
  }

  public SmallCnn(int numClasses, int width, boolean batchNorm) {
    int in = 3;
    for (int i = 0; i < 4; i++) {
      int out = width << Math.min(i, 3);
      Conv2dOptions o = new Conv2dOptions(in, out, new LongPointer(3L, 3L));
      o.padding().put(new LongPointer(1L, 1L));
      o.bias().put(!batchNorm);
      convs[i] = register_module("conv" + (i + 1), new Conv2dImpl(o));
      norms[i] = batchNorm ? register_module("bn" + (i + 1), new BatchNorm2dImpl(new BatchNormOptions(out))) : null;
      in = out;
    }
    fc = register_module("fc", new LinearImpl(in, numClasses));
  }

  @Override
  public LinearImpl classifier() {
    return fc;
  }

  @Override
  public Tensor forward(Tensor x) {
    for (int i = 0; i < 4; i++) {
      x = convs[i].forward(x);
      x = relu(norms[i] == null ? x : norms[i].forward(x));
      if (i < 3) {
        x = max_pool2d(x, 2, 2);
      }
    }
    x = flatten(adaptive_avg_pool2d(x, 1, 1), 1, -1);
    return fc.forward(x);
  }
}
