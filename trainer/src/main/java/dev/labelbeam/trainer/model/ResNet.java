package dev.labelbeam.trainer.model;

import static org.bytedeco.pytorch.global.torch.adaptive_avg_pool2d;
import static org.bytedeco.pytorch.global.torch.flatten;
import static org.bytedeco.pytorch.global.torch.max_pool2d;
import static org.bytedeco.pytorch.global.torch.relu;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.BatchNormOptions;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * ResNet-18/34/50 (He et al.) laid out exactly as torchvision's {@code resnet18/34/50}, so that the
 * parameter and buffer names match ({@code conv1.weight}, {@code layer2.0.downsample.1.running_mean},
 * {@code fc.bias}, ...) and weights move between the two as safetensors. The classifier {@code fc}
 * has {@code numClasses} outputs. Convolutions are Kaiming-normal initialised (fan-out, ReLU) and
 * batch norms to weight 1, bias 0, as torchvision does.
 */
public final class ResNet extends MultiLabelModel {
  private final Conv2dImpl conv1;
  private final BatchNorm2dImpl bn1;
  private final List<Block> blocks = new ArrayList<>();
  /**
   * The plain container modules ({@code layer1..4}): only the native parent would hold them
   * otherwise, and a Java-created module must stay reachable from Java while the model is in use
   * (a collected wrapper breaks the next native call that walks the tree, e.g. {@code eval()}).
   */
  private final List<Module> containers = new ArrayList<>();
  private final LinearImpl fc;

  /** The depths torchvision provides here. */
  public static boolean isResNet(String arch) {
    return arch.equals("resnet18") || arch.equals("resnet34") || arch.equals("resnet50");
  }

  public ResNet(String arch, int numClasses) {
    int[] layers;
    boolean bottleneck;
    switch (arch) {
      case "resnet18":
        layers = new int[] {2, 2, 2, 2};
        bottleneck = false;
        break;
      case "resnet34":
        layers = new int[] {3, 4, 6, 3};
        bottleneck = false;
        break;
      case "resnet50":
        layers = new int[] {3, 4, 6, 3};
        bottleneck = true;
        break;
      default:
        throw new IllegalArgumentException("unknown ResNet '" + arch + "' (known: resnet18, resnet34, resnet50)");
    }
    conv1 = register_module("conv1", conv(3, 64, 7, 2, 3));
    bn1 = register_module("bn1", bn(64));
    int in = 64;
    int expansion = bottleneck ? 4 : 1;
    for (int l = 0; l < 4; l++) {
      int planes = 64 << l;
      Module layer = register_module("layer" + (l + 1), new Module());
      containers.add(layer);
      for (int b = 0; b < layers[l]; b++) {
        int stride = b == 0 && l > 0 ? 2 : 1;
        Block block = bottleneck ? new Bottleneck(in, planes, stride) : new BasicBlock(in, planes, stride);
        layer.register_module(Integer.toString(b), block);
        blocks.add(block);
        in = planes * expansion;
      }
    }
    fc = register_module("fc", new LinearImpl(in, numClasses));
    for (Conv2dImpl c : convs(this)) {
      torch.kaiming_normal_(c.weight(), 0.0, new org.bytedeco.pytorch.FanModeType(new org.bytedeco.pytorch.kFanOut()),
          new org.bytedeco.pytorch.Nonlinearity(new org.bytedeco.pytorch.kReLU()));
    }
  }

  private static List<Conv2dImpl> convs(ResNet r) {
    List<Conv2dImpl> out = new ArrayList<>();
    out.add(r.conv1);
    for (Block b : r.blocks) {
      out.addAll(b.convs());
    }
    return out;
  }

  /** The classifier, which fine-tuning replaces and trains even with a frozen backbone. */
  @Override
  public LinearImpl classifier() {
    return fc;
  }

  @Override
  public Tensor forward(Tensor x) {
    x = relu(bn1.forward(conv1.forward(x)));
    x = max_pool2d(x, new long[] {3, 3}, new long[] {2, 2}, new long[] {1, 1}, new long[] {1, 1}, false);
    for (Block b : blocks) {
      x = b.forward(x);
    }
    x = flatten(adaptive_avg_pool2d(x, 1, 1), 1, -1);
    return fc.forward(x);
  }

  static Conv2dImpl conv(int in, int out, int k, int stride, int pad) {
    Conv2dOptions o = new Conv2dOptions(in, out, new LongPointer(k, k));
    o.stride().put(new LongPointer(stride, stride));
    o.padding().put(new LongPointer(pad, pad));
    o.bias().put(false);
    return new Conv2dImpl(o);
  }

  static BatchNorm2dImpl bn(int c) {
    return new BatchNorm2dImpl(new BatchNormOptions(c));
  }

  /** A residual block. */
  abstract static class Block extends Module {
    /** The downsample container, kept reachable (see {@link ResNet#containers}). */
    Module downsampleContainer;

    abstract Tensor forward(Tensor x);

    abstract List<Conv2dImpl> convs();
  }

  /** The downsample branch ({@code downsample.0} conv 1×1, {@code downsample.1} batch norm), or null. */
  static Module[] downsample(Block parent, int in, int out, int stride) {
    if (stride == 1 && in == out) {
      return null;
    }
    Module d = parent.register_module("downsample", new Module());
    parent.downsampleContainer = d;
    Conv2dImpl c = d.register_module("0", conv(in, out, 1, stride, 0));
    BatchNorm2dImpl b = d.register_module("1", bn(out));
    return new Module[] {c, b};
  }

  static final class BasicBlock extends Block {
    private final Conv2dImpl conv1;
    private final BatchNorm2dImpl bn1;
    private final Conv2dImpl conv2;
    private final BatchNorm2dImpl bn2;
    private final Conv2dImpl downConv;
    private final BatchNorm2dImpl downBn;

    BasicBlock(int in, int planes, int stride) {
      conv1 = register_module("conv1", conv(in, planes, 3, stride, 1));
      bn1 = register_module("bn1", bn(planes));
      conv2 = register_module("conv2", conv(planes, planes, 3, 1, 1));
      bn2 = register_module("bn2", bn(planes));
      Module[] d = downsample(this, in, planes, stride);
      downConv = d == null ? null : (Conv2dImpl) d[0];
      downBn = d == null ? null : (BatchNorm2dImpl) d[1];
    }

    @Override
    Tensor forward(Tensor x) {
      Tensor out = relu(bn1.forward(conv1.forward(x)));
      out = bn2.forward(conv2.forward(out));
      Tensor identity = downConv == null ? x : downBn.forward(downConv.forward(x));
      return relu(out.add(identity));
    }

    @Override
    List<Conv2dImpl> convs() {
      List<Conv2dImpl> c = new ArrayList<>(List.of(conv1, conv2));
      if (downConv != null) {
        c.add(downConv);
      }
      return c;
    }
  }

  static final class Bottleneck extends Block {
    private final Conv2dImpl conv1;
    private final BatchNorm2dImpl bn1;
    private final Conv2dImpl conv2;
    private final BatchNorm2dImpl bn2;
    private final Conv2dImpl conv3;
    private final BatchNorm2dImpl bn3;
    private final Conv2dImpl downConv;
    private final BatchNorm2dImpl downBn;

    Bottleneck(int in, int planes, int stride) {
      conv1 = register_module("conv1", conv(in, planes, 1, 1, 0));
      bn1 = register_module("bn1", bn(planes));
      conv2 = register_module("conv2", conv(planes, planes, 3, stride, 1));
      bn2 = register_module("bn2", bn(planes));
      conv3 = register_module("conv3", conv(planes, planes * 4, 1, 1, 0));
      bn3 = register_module("bn3", bn(planes * 4));
      Module[] d = downsample(this, in, planes * 4, stride);
      downConv = d == null ? null : (Conv2dImpl) d[0];
      downBn = d == null ? null : (BatchNorm2dImpl) d[1];
    }

    @Override
    Tensor forward(Tensor x) {
      Tensor out = relu(bn1.forward(conv1.forward(x)));
      out = relu(bn2.forward(conv2.forward(out)));
      out = bn3.forward(conv3.forward(out));
      Tensor identity = downConv == null ? x : downBn.forward(downConv.forward(x));
      return relu(out.add(identity));
    }

    @Override
    List<Conv2dImpl> convs() {
      List<Conv2dImpl> c = new ArrayList<>(List.of(conv1, conv2, conv3));
      if (downConv != null) {
        c.add(downConv);
      }
      return c;
    }
  }
}
