package dev.labelbeam.trainer.model;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** A network mapping an NCHW float batch to N × C logits (one per class, before the sigmoid). */
public abstract class MultiLabelModel extends Module {
  /** Logits for a batch. */
  public abstract Tensor forward(Tensor images);

  /** The last layer ({@code fc}): features to one logit per class. */
  public abstract LinearImpl classifier();
}
