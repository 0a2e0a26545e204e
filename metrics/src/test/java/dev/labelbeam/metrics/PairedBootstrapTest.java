package dev.labelbeam.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.shard.LabelBits;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The paired bootstrap tells a real AUC gain from the noise of a finite test set: a model that
 * separates three classes better is better on those three, an identical one on the others is not told
 * apart, and a model differing only by noise is rarely called better or worse.
 */
class PairedBootstrapTest {
  @Test
  void realGainsAreFoundAndNoiseIsNot() {
    int n = 400;
    int classes = 7;
    Random rnd = new Random(9);
    List<ScoredExample> a = new ArrayList<>();
    List<ScoredExample> b = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean[] y = new boolean[classes];
      double[] sa = new double[classes];
      double[] sb = new double[classes];
      for (int c = 0; c < classes; c++) {
        y[c] = rnd.nextInt(4) == 0;
        double noise = rnd.nextGaussian();
        sa[c] = noise + (y[c] ? 0.5 : 0);
        // classes 0-2: B separates much better; 3-5: the same scores; 6: no positives at all
        sb[c] = c < 3 ? noise * 0.3 + (y[c] ? 1.5 : 0) : sa[c];
        y[6] = false;
      }
      byte[] bits = LabelBits.packDense(y);
      a.add(ScoredExample.ofDoubles("e" + i, bits, sa));
      b.add(ScoredExample.ofDoubles("e" + i, bits, sb));
    }
    Collections.shuffle(b, new Random(1)); // paired by id, not by position
    PairedBootstrap.Interval[] iv = PairedBootstrap.aucDifference(a, b, classes, 500, 3);
    for (int c = 0; c < 3; c++) {
      assertTrue(iv[c].low() > 0, "class " + c + " is better: " + iv[c]);
    }
    for (int c = 3; c < 6; c++) {
      assertEquals(0.0, iv[c].low(), 0.0, "identical scores: " + iv[c]);
      assertEquals(0.0, iv[c].high(), 0.0);
    }
    assertNull(iv[6].low(), "no AUC without positives");

    // the verdicts in a comparison
    MetricsOptions exact = MetricsOptions.defaults().withMode(MetricsOptions.Mode.EXACT);
    MetricsAccumulator accA = exact.newAccumulator(classes);
    MetricsAccumulator accB = exact.newAccumulator(classes);
    a.forEach(accA::add);
    b.forEach(accB::add);
    ReportComparison plain = ReportComparison.of("a", exact.report(accA), "b", exact.report(accB));
    ReportComparison boot = plain.withBootstrap(iv, 500);
    assertEquals(3, boot.better());
    assertEquals(0, boot.worse());
    assertEquals(3, boot.same());
    assertTrue(boot.method().contains("bootstrap"), boot.method());

    // noise only: B's scores are A's plus a little noise; at 95%, about 5% of such classes are called
    int called = 0;
    int trials = 40;
    for (int t = 0; t < trials; t++) {
      List<ScoredExample> noisy = new ArrayList<>();
      for (ScoredExample e : a) {
        double[] s = new double[classes];
        for (int c = 0; c < classes; c++) {
          s[c] = e.score(c) + rnd.nextGaussian() * 0.05;
        }
        noisy.add(ScoredExample.ofDoubles(e.id, e.labelBits, s));
      }
      PairedBootstrap.Interval one = PairedBootstrap.aucDifference(a, noisy, classes, 200, t)[0];
      called += one.low() > 0 || one.high() < 0 ? 1 : 0;
    }
    assertTrue(called <= 8, called + " of " + trials + " noise-only comparisons called a difference");

    List<ScoredExample> other = new ArrayList<>(b);
    other.set(0, ScoredExample.ofDoubles("stranger", other.get(0).labelBits, new double[classes]));
    assertThrows(IllegalArgumentException.class, () -> PairedBootstrap.aucDifference(a, other, classes, 10, 1));
    assertEquals(0, PairedBootstrap.resamplesWithin(1000, 11_000, 1_000_000, 4e9), "too large: no bootstrap");
    assertEquals(1000, PairedBootstrap.resamplesWithin(1000, 12, 450, 4e9));
  }
}
