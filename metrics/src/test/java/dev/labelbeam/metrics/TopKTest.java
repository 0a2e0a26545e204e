package dev.labelbeam.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The partial selection gives the first k of a full sort (score descending, then class ascending). */
class TopKTest {

  private static int[] bySort(float[] s, int k) {
    Integer[] order = new Integer[s.length];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -s[i]).thenComparingInt(i -> i));
    return Arrays.stream(order).limit(Math.min(k, s.length)).mapToInt(Integer::intValue).toArray();
  }

  @Test
  void equalsTheFirstKOfAFullSortWithTies() {
    Random rnd = new Random(3);
    for (int trial = 0; trial < 500; trial++) {
      int n = 1 + rnd.nextInt(60);
      float[] s = new float[n];
      for (int i = 0; i < n; i++) {
        s[i] = rnd.nextInt(8) / 8f; // many ties
      }
      for (int k : new int[] {0, 1, 3, 5, n, n + 2}) {
        assertArrayEquals(bySort(s, k), TopK.of(s, k), "n " + n + " k " + k + " " + Arrays.toString(s));
      }
    }
  }
}
