package dev.labelbeam.trainer.train;

import static org.bytedeco.pytorch.global.torch.softplus;

import org.bytedeco.pytorch.BCEWithLogitsLossImpl;
import org.bytedeco.pytorch.BCEWithLogitsLossOptions;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * The training loss over (N × C logits, N × C 0/1 targets), averaged over all cells. Both forms work
 * on logits through log-sigmoids, so they stay finite for logits of any size.
 *
 * <ul>
 *   <li>{@link #bce}: LibTorch's fused {@code BCEWithLogits} with an optional per-class
 *       {@code pos_weight}: {@code -[w_c y log σ(x) + (1-y) log(1-σ(x))]}.
 *   <li>{@link #asymmetric}: Asymmetric Loss (Ridnik et al., 2021): positives
 *       {@code -(1-p)^γ+ log p}, negatives {@code -p_m^γ- log(1-p_m)} with the shifted probability
 *       {@code p_m = max(p - m, 0)}; it down-weights the many easy negatives of multi-label data.
 *   <li>{@link #softmax}: cross-entropy of the softmax over the classes against the example's labels
 *       normalized to sum 1 (the loss of large-scale weakly supervised pretraining at 17,000 labels),
 *       averaged over the examples that have labels; computed through log-softmax, finite for any logits.
 * </ul>
 */
public abstract class MultiLabelLoss implements AutoCloseable {
  /** The mean loss of a batch. */
  public abstract Tensor apply(Tensor logits, Tensor targets);

  /** {@code BCEWithLogits}, with {@code posWeight} (a C-vector on the logits' device) or none (null). */
  public static MultiLabelLoss bce(Tensor posWeight) {
    BCEWithLogitsLossOptions o = new BCEWithLogitsLossOptions();
    if (posWeight != null) {
      o.pos_weight().put(posWeight);
    }
    BCEWithLogitsLossImpl impl = new BCEWithLogitsLossImpl(o);
    return new MultiLabelLoss() {
      @Override
      public Tensor apply(Tensor logits, Tensor targets) {
        return impl.forward(logits, targets);
      }

      @Override
      public void close() {
        impl.close();
      }
    };
  }

  /**
   * Asymmetric Loss with focusing parameters {@code gammaPos}, {@code gammaNeg} (>= 0) and
   * probability margin {@code margin} in [0, 1) (the paper's defaults: 0, 4, 0.05).
   */
  public static MultiLabelLoss asymmetric(double gammaPos, double gammaNeg, double margin) {
    if (gammaPos < 0 || gammaNeg < 0 || margin < 0 || margin >= 1) {
      throw new IllegalArgumentException("ASL needs gammas >= 0 and a margin in [0, 1), were " + gammaPos + ", "
          + gammaNeg + ", " + margin);
    }
    return new MultiLabelLoss() {
      @Override
      public Tensor apply(Tensor x, Tensor y) {
        // log σ(x) = -softplus(-x), log(1-σ(x)) = -softplus(x): finite for any x
        Tensor logP = softplus(x.neg()).neg();
        Tensor log1mP = softplus(x).neg();
        Tensor pos = logP;
        if (gammaPos > 0) {
          pos = pos.mul(log1mP.mul(new Scalar(gammaPos)).exp()); // (1-p)^γ+ = exp(γ+ log(1-p))
        }
        Tensor p = logP.exp();
        Tensor logNeg;
        Tensor pm;
        if (margin > 0) {
          pm = p.sub(new Scalar(margin)).clamp_min(new Scalar(0.0));
          logNeg = pm.neg().log1p(); // log(1 - p_m), p_m <= 1 - margin, finite
        } else {
          pm = p;
          logNeg = log1mP;
        }
        Tensor neg = gammaNeg > 0 ? logNeg.mul(pm.pow(new Scalar(gammaNeg))) : logNeg;
        Tensor loss = y.mul(pos).add(y.neg().add(new Scalar(1.0)).mul(neg)).neg();
        return loss.mean();
      }

      @Override
      public void close() {}
    };
  }

  /**
   * Softmax cross-entropy against normalized multi-label targets: {@code -Σ_c (y_c / Σy) log softmax(x)_c}
   * per example, averaged over the examples with at least one label (an example without labels adds nothing).
   */
  public static MultiLabelLoss softmax() {
    return new MultiLabelLoss() {
      @Override
      public Tensor apply(Tensor x, Tensor y) {
        Tensor logP = x.log_softmax(1);
        Tensor perRow = y.sum(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional());
        Tensor target = y.div(perRow.clamp_min(new Scalar(1.0)));
        Tensor labeled = perRow.gt(new Scalar(0.0)).to(x.scalar_type()).sum().clamp_min(new Scalar(1.0));
        return target.mul(logP).sum().neg().div(labeled);
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public abstract void close();
}
