package dev.labelbeam.trainer.train;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.StringTensorDictItemVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * Builds the optimizer with two parameter groups: weights with weight decay, and biases and
 * normalization parameters (every parameter of fewer than two dimensions) without, as is usual for
 * CNNs. Frozen parameters ({@code requires_grad} false) are left out.
 */
public final class Optimizers {
  private Optimizers() {}

  /** The (decayed, not decayed) trainable parameters of a module. */
  static List<List<Tensor>> groups(Module model) {
    List<Tensor> decay = new ArrayList<>();
    List<Tensor> noDecay = new ArrayList<>();
    StringTensorDictItemVector items = model.named_parameters(true).items();
    for (long i = 0; i < items.size(); i++) {
      Tensor p = new Tensor(items.get(i).value()); // own reference: value() points into items
      if (!p.requires_grad()) {
        continue;
      }
      (p.dim() < 2 ? noDecay : decay).add(p);
    }
    return List.of(decay, noDecay);
  }

  public static Optimizer create(TrainOptions c, Module model) {
    List<List<Tensor>> g = groups(model);
    TensorVector decay = new TensorVector(g.get(0).toArray(new Tensor[0]));
    TensorVector noDecay = new TensorVector(g.get(1).toArray(new Tensor[0]));
    switch (c.optimizer()) {
      case ADAMW:
        {
          AdamWOptions o = new AdamWOptions(c.learningRate());
          o.weight_decay().put(c.weightDecay());
          AdamW opt = new AdamW(decay, o);
          if (noDecay.size() > 0) {
            AdamWOptions z = new AdamWOptions(c.learningRate());
            z.weight_decay().put(0.0);
            opt.add_param_group(new OptimizerParamGroup(noDecay, z));
          }
          return opt;
        }
      case SGD:
        {
          SGDOptions o = new SGDOptions(c.learningRate());
          o.momentum().put(c.momentum());
          o.nesterov().put(c.nesterov());
          o.weight_decay().put(c.weightDecay());
          SGD opt = new SGD(decay, o);
          if (noDecay.size() > 0) {
            SGDOptions z = new SGDOptions(c.learningRate());
            z.momentum().put(c.momentum());
            z.nesterov().put(c.nesterov());
            z.weight_decay().put(0.0);
            opt.add_param_group(new OptimizerParamGroup(noDecay, z));
          }
          return opt;
        }
      default:
        throw new AssertionError(c.optimizer());
    }
  }

  /** Sets the learning rate of every group. */
  public static void setLearningRate(Optimizer opt, double lr) {
    for (long i = 0; i < opt.param_groups().size(); i++) {
      opt.param_groups().get(i).options().set_lr(lr);
    }
  }
}
