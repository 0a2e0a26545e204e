package dev.labelbeam.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.trainer.train.MultiLabelLoss;
import dev.labelbeam.trainer.train.PosWeights;
import dev.labelbeam.trainer.train.TrainOptions;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The losses stay finite and match float64 references for logits as large as ±100. */
class LossTest {
  static final float[] X = {-100f, -30f, -5f, -0.5f, 0f, 0.5f, 5f, 30f, 100f, 12f};
  static final float[] Y = {1f, 0f, 1f, 0f, 1f, 0f, 1f, 0f, 1f, 1f};
  static final float[] W = {2f, 3f, 0.5f, 1f, 4f, 1f, 1f, 2f, 1f, 10f};

  @BeforeAll
  static void load() {
    TorchRuntime.load();
  }

  /** log σ(x) in float64, without overflow. */
  static double logSigmoid(double x) {
    return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
  }

  @Test
  void bceWithPosWeightMatchesFloat64() {
    double ref = 0;
    for (int i = 0; i < X.length; i++) {
      ref += -(W[i] * Y[i] * logSigmoid(X[i]) + (1 - Y[i]) * logSigmoid(-X[i]));
    }
    ref /= X.length;
    try (PointerScope s = new PointerScope()) {
      // one class per column: pos_weight is per class
      MultiLabelLoss loss = MultiLabelLoss.bce(Tensor.create(W));
      double got = loss.apply(Tensor.create(X, 1, X.length), Tensor.create(Y, 1, X.length)).item_double();
      assertTrue(Double.isFinite(got));
      assertEquals(ref, got, 1e-5 * Math.max(1, Math.abs(ref)));
      double plain = MultiLabelLoss.bce(null).apply(Tensor.create(X, 1, X.length), Tensor.create(Y, 1, X.length)).item_double();
      assertTrue(Double.isFinite(plain) && plain > 0);
    }
  }

  @Test
  void asymmetricLossMatchesFloat64() {
    double gp = 1;
    double gn = 4;
    double m = 0.05;
    double ref = 0;
    for (int i = 0; i < X.length; i++) {
      double p = Math.exp(logSigmoid(X[i]));
      double pos = Math.pow(1 - p, gp) * logSigmoid(X[i]);
      double pm = Math.max(p - m, 0);
      double neg = Math.pow(pm, gn) * Math.log1p(-pm);
      ref += -(Y[i] * pos + (1 - Y[i]) * neg);
    }
    ref /= X.length;
    try (PointerScope s = new PointerScope()) {
      double got = MultiLabelLoss.asymmetric(gp, gn, m).apply(Tensor.create(X, 2, 5), Tensor.create(Y, 2, 5)).item_double();
      assertTrue(Double.isFinite(got));
      assertEquals(ref, got, 1e-5 * Math.max(1, Math.abs(ref)));
      double noMargin = MultiLabelLoss.asymmetric(0, 0, 0).apply(Tensor.create(X, 2, 5), Tensor.create(Y, 2, 5)).item_double();
      double bce = MultiLabelLoss.bce(null).apply(Tensor.create(X, 2, 5), Tensor.create(Y, 2, 5)).item_double();
      assertEquals(bce, noMargin, 1e-5 * bce, "ASL with no focusing and no margin is plain BCE");
    }
  }

  @Test
  void softmaxLossMatchesFloat64() {
    // two examples of five classes (logits up to ±100) and one without labels, which adds nothing
    float[] x = {-100f, 30f, 0.5f, 100f, -5f, 12f, -0.5f, 0f, 5f, -30f, 3f, 1f, 2f, -1f, 0f};
    float[] y = {0f, 1f, 0f, 1f, 0f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 0f, 0f, 0f};
    double ref = 0;
    for (int r = 0; r < 2; r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < 5; c++) {
        max = Math.max(max, x[r * 5 + c]);
      }
      double sum = 0;
      for (int c = 0; c < 5; c++) {
        sum += Math.exp(x[r * 5 + c] - max);
      }
      double labels = 0;
      for (int c = 0; c < 5; c++) {
        labels += y[r * 5 + c];
      }
      for (int c = 0; c < 5; c++) {
        ref -= y[r * 5 + c] / labels * (x[r * 5 + c] - max - Math.log(sum));
      }
    }
    ref /= 2;
    try (PointerScope s = new PointerScope()) {
      double got = MultiLabelLoss.softmax().apply(Tensor.create(x, 3, 5), Tensor.create(y, 3, 5)).item_double();
      assertTrue(Double.isFinite(got));
      assertEquals(ref, got, 1e-5 * Math.max(1, Math.abs(ref)));
    }
  }

  @Test
  void posWeightsFromCountsAndFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
    float[] w = PosWeights.fromCounts(new long[] {10, 0, 100, 1}, 100, 50);
    assertEquals(9f, w[0]);
    assertEquals(1f, w[1]); // no positives
    assertEquals(1f, w[2]); // no negatives
    assertEquals(50f, w[3]); // clipped
    float[] soft = PosWeights.fromCounts(new long[] {10, 0, 100, 1, 20}, 100, 50, true);
    assertEquals(3f, soft[0]); // sqrt(90 / 10)
    assertEquals(1f, soft[1]);
    assertEquals(1f, soft[2]);
    assertEquals((float) Math.sqrt(99), soft[3]); // under the clip once softened
    assertEquals(2f, soft[4]); // sqrt(80 / 20)
    assertEquals(TrainOptions.PosWeight.Source.SQRT, TrainOptions.PosWeight.parse("sqrt").source());
    assertEquals("sqrt", TrainOptions.PosWeight.parse("sqrt").toString());
    java.nio.file.Path f = tmp.resolve("w.txt");
    java.nio.file.Files.writeString(f, "cat 2.5\ndog\t0.5\n");
    assertEquals(2.5f, PosWeights.fromFile(f, 2)[0]);
    assertEquals(0.5f, PosWeights.fromFile(f, 2)[1]);
  }

  @Test
  void priorBiasStartsEachClassAtItsBestConstantPrediction() {
    long[] positives = {250, 1, 0, 1000};
    long n = 1000;
    float[] none = dev.labelbeam.trainer.train.PriorBias.of(positives, n, null, false);
    assertEquals(250.5 / 1001, sigmoid(none[0]), 1e-6); // the frequency, smoothed
    assertTrue(none[2] < -7 && Float.isFinite(none[2]), "no positives: a finite, very negative bias");
    assertTrue(none[3] > 7 && Float.isFinite(none[3]), "no negatives: a finite, very positive bias");
    float[] w = PosWeights.fromCounts(positives, n, 100);
    float[] weighted = dev.labelbeam.trainer.train.PriorBias.of(positives, n, w, false);
    assertEquals(0.5, sigmoid(weighted[0]), 1e-3, "the dataset weight makes 0.5 the best constant");
    // brute force: the constant logit minimizing the weighted BCE of class 1 over the split
    double best = Double.NaN;
    double bestLoss = Double.MAX_VALUE;
    for (double x = -12; x <= 12; x += 1e-3) {
      double p = sigmoid(x);
      double loss = -(w[1] * 1.5 * Math.log(p) + (n + 1 - 1.5) * Math.log(1 - p));
      if (loss < bestLoss) {
        bestLoss = loss;
        best = x;
      }
    }
    assertEquals(best, weighted[1], 2e-3);
    float[] softmax = dev.labelbeam.trainer.train.PriorBias.of(positives, n, null, true);
    assertEquals(Math.log(250.5 / 1001), softmax[0], 1e-6);
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }
}
