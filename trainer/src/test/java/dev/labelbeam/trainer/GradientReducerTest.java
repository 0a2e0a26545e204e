package dev.labelbeam.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.trainer.distributed.Collectives;
import dev.labelbeam.trainer.distributed.GradientReducer;
import dev.labelbeam.trainer.distributed.WorkerEnv;
import dev.labelbeam.trainer.model.SmallCnn;
import java.net.ServerSocket;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.StringTensorDictItemVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * The bucketed gradient all-reduce that runs inside the backward pass, in a one-worker Gloo group: the
 * gradients it leaves in {@code .grad} equal plain backward's, and buckets start during backward.
 * Two workers in one JVM (one thread each, separate Gloo groups): each rank's gradients become the
 * mean of both ranks' plain gradients, so a wrong divisor or a skipped bucket fails.
 */
class GradientReducerTest {

  private static List<Tensor> params(SmallCnn m) {
    List<Tensor> out = new ArrayList<>();
    StringTensorDictItemVector items = m.named_parameters(true).items();
    for (long i = 0; i < items.size(); i++) {
      out.add(new Tensor(items.get(i).value())); // our own reference: value() points into items
    }
    return out;
  }

  private static float[] grad(Tensor p) {
    Tensor g = p.grad().contiguous();
    float[] out = new float[(int) g.numel()];
    ((FloatBuffer) g.createBuffer()).get(out);
    return out;
  }

  private static List<float[]> backward(SmallCnn m, Tensor x, GradientReducer reducer) {
    m.zero_grad(true);
    try (PointerScope scope = new PointerScope()) {
      if (reducer != null) {
        reducer.prepare();
      }
      torch.binary_cross_entropy_with_logits(m.forward(x), torch.ones_like(m.forward(x)).mul(new org.bytedeco.pytorch.Scalar(0.3)))
          .backward();
      if (reducer != null) {
        reducer.finish();
      }
      List<float[]> out = new ArrayList<>();
      for (Tensor p : params(m)) {
        out.add(grad(p));
      }
      return out;
    }
  }

  @Test
  void gradientsEqualPlainBackwardAndBucketsStartDuringBackward() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    torch.manual_seed(5);
    SmallCnn m = new SmallCnn(6, 4, false);
    Tensor x = torch.randn(3, 3, 16, 16);
    List<float[]> plain = backward(m, x, null);

    try (Collectives c = Collectives.connect(new WorkerEnv(0, 1, 0, "127.0.0.1", port), 30_000, false)) {
      GradientReducer reducer = c.reducer(params(m), 256); // 256-byte buckets: one or two tensors each
      try {
        assertTrue(reducer.bucketCount() > 3, "buckets: " + reducer.bucketCount());
        for (int rep = 0; rep < 3; rep++) {
          List<float[]> reduced = backward(m, x, reducer);
          assertEquals(plain.size(), reduced.size());
          for (int i = 0; i < plain.size(); i++) {
            assertArrayEquals(plain.get(i), reduced.get(i), 0f, "parameter " + i);
          }
          // every bucket but the one holding the first layer can start before backward ends
          assertTrue(reducer.launchedDuringBackward() >= reducer.bucketCount() - 1,
              reducer.launchedDuringBackward() + " of " + reducer.bucketCount() + " during backward");
        }
      } finally {
        reducer.close();
      }
    }
  }

  @Test
  void twoWorkersEachGetTheMeanOfBothGradients() throws Exception {
    SmallCnn[] models = new SmallCnn[2];
    Tensor[] inputs = new Tensor[2];
    List<List<float[]>> plain = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      torch.manual_seed(11); // identical replicas, as after DDP's broadcast
      models[r] = new SmallCnn(6, 4, false);
      torch.manual_seed(100 + r); // each rank its own batch
      inputs[r] = torch.randn(3, 3, 16, 16);
    }
    for (int r = 0; r < 2; r++) {
      plain.add(backward(models[r], inputs[r], null));
    }
    List<List<float[]>> reduced = new ArrayList<>(List.of(List.of(), List.of()));
    TwoRanks.run((rank, c) -> {
      GradientReducer reducer = c.reducer(params(models[rank]), 256);
      try {
        reduced.set(rank, backward(models[rank], inputs[rank], reducer));
      } finally {
        reducer.close();
      }
    });
    for (int i = 0; i < plain.get(0).size(); i++) {
      float[] a = plain.get(0).get(i);
      float[] b = plain.get(1).get(i);
      float[] mean = new float[a.length];
      for (int k = 0; k < a.length; k++) {
        mean[k] = (a[k] + b[k]) / 2;
      }
      assertTrue(!java.util.Arrays.equals(a, b), "the ranks' own gradients differ, so averaging is visible");
      for (int r = 0; r < 2; r++) {
        assertArrayEquals(mean, reduced.get(r).get(i), 1e-6f, "rank " + r + ", parameter " + i);
      }
    }
  }
}
