package dev.labelbeam.benchmarks;

import dev.labelbeam.metrics.MetricsAccumulator;
import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.transforms.evaluation.EvaluateMultiLabel;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Java half of the evaluation benchmark against scikit-learn. {@code write DIR C N} writes the
 * synthetic arrays ({@code scores.f32}, {@code labels.u8}, row-major N × C, little-endian) for the
 * Python peer; {@code time DIR C N} times our per-class AUC + F1 on the same rows, in binned and
 * exact mode, and prints {@code java_<mode>_scores_per_s=...} lines for the script to compare.
 */
public final class EvaluationVsSklearn {
  private EvaluationVsSklearn() {}

  public static void main(String[] args) throws Exception {
    String cmd = args[0];
    Path dir = Path.of(args[1]);
    int c = Integer.parseInt(args[2]);
    int n = Integer.parseInt(args[3]);
    List<ScoredExample> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      rows.add(SyntheticScores.row(i, c));
    }
    if (cmd.equals("write")) {
      Files.createDirectories(dir);
      try (OutputStream s = new BufferedOutputStream(Files.newOutputStream(dir.resolve("scores.f32")), 1 << 20);
          OutputStream l = new BufferedOutputStream(Files.newOutputStream(dir.resolve("labels.u8")), 1 << 20)) {
        ByteBuffer buf = ByteBuffer.allocate(4 * c).order(ByteOrder.LITTLE_ENDIAN);
        for (ScoredExample e : rows) {
          buf.clear();
          for (float f : e.scores) {
            buf.putFloat(f);
          }
          s.write(buf.array());
          for (int k = 0; k < c; k++) {
            l.write((e.labelBits[k >>> 3] >>> (k & 7)) & 1);
          }
        }
      }
      return;
    }
    for (String mode : new String[] {"binned", "exact"}) {
      EvaluateMultiLabel.MetricsFn fn = new EvaluateMultiLabel.MetricsFn(c, MetricsOptions.defaults().withMode(MetricsOptions.Mode.valueOf(mode.toUpperCase(java.util.Locale.ROOT))));
      double best = Double.MAX_VALUE;
      MultiLabelReport r = null;
      for (int rep = 0; rep < 3; rep++) {
        System.gc();
        long t0 = System.nanoTime();
        MetricsAccumulator acc = fn.createAccumulator();
        for (ScoredExample e : rows) {
          fn.addInput(acc, e);
        }
        r = fn.extractOutput(acc);
        best = Math.min(best, (System.nanoTime() - t0) / 1e9);
      }
      System.out.printf(Locale.ROOT, "java_%s_seconds=%.4f%njava_%s_scores_per_s=%.4g%njava_%s_macro_auc=%.6f%njava_%s_macro_f1=%.6f%n",
          mode, best, mode, (double) c * n / best, mode, r.macro().auc(), mode, r.macro().f1());
    }
  }
}
