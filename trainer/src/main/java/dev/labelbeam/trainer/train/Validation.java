package dev.labelbeam.trainer.train;

import dev.labelbeam.metrics.MetricsAccumulator;
import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.shard.LabelBits;
import dev.labelbeam.trainer.data.Batch;
import dev.labelbeam.trainer.data.ShardLoader;
import dev.labelbeam.trainer.distributed.Collectives;
import dev.labelbeam.trainer.model.MultiLabelModel;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Scores the val split with the model in eval mode, each rank its share, and computes the metrics with
 * the evaluation stage's own math ({@link MetricsOptions#defaults()}: binned, threshold 0.5), so the numbers in the training
 * log are those {@code evaluate} would report.
 */
final class Validation {
  private Validation() {}

  /**
   * Scores this rank's share of the val split ({@code loader} reads it); with {@code coll} the ranks'
   * accumulators are summed through the collectives, so every rank validates in parallel. Returns
   * the report on rank 0 ({@code lead}), null on the others.
   */
  static MultiLabelReport run(MultiLabelModel model, ShardLoader loader, int numClasses, int size, Device device,
      Collectives coll, boolean lead) {
    MetricsOptions options = MetricsOptions.defaults();
    MetricsAccumulator acc = options.newAccumulator(numClasses);
    model.eval();
    try (ShardLoader.Epoch e = loader.epoch(0)) {
      for (Batch b = e.next(); b != null; b = e.next()) {
        float[][] probs = new float[b.size][numClasses];
        try (PointerScope scope = new PointerScope();
            NoGradGuard g = new NoGradGuard()) {
          Tensor x = Tensor.create(java.util.Arrays.copyOf(b.images, b.size * 3 * size * size), b.size, 3, size, size);
          if (device.is_cuda()) {
            x = x.to(device, torch.ScalarType.Float);
          }
          FloatBuffer out = torch.sigmoid(model.forward(x)).to(torch.ScalarType.Float).cpu().contiguous().createBuffer();
          for (int i = 0; i < b.size; i++) {
            out.get(probs[i]);
          }
        }
        for (int i = 0; i < b.size; i++) {
          boolean[] dense = new boolean[numClasses];
          for (int c = 0; c < numClasses; c++) {
            dense[c] = b.targets[i * numClasses + c] > 0.5f;
          }
          acc.add(new ScoredExample(b.ids.get(i), LabelBits.packDense(dense), probs[i]));
        }
      }
    }
    model.train(true);
    if (coll != null) {
      acc = MetricsAccumulator.fromSums(numClasses, options.threshold(), options.logitBins(),
          coll.sum(acc.countsVector()), coll.sum(acc.histogramsVector()));
    }
    return lead ? options.report(acc) : null;
  }
}
