package dev.labelbeam.metrics;

/**
 * The {@code k} highest scores' classes, highest first (ties: the lower class first), by a partial
 * selection over primitive arrays: O(C·k) for the small k of a prediction line, without boxing or
 * sorting all C scores (11,000 per image at the mission's scale).
 */
public final class TopK {
  private TopK() {}

  /** The indices of the {@code min(k, scores.length)} highest scores, in order. */
  public static int[] of(float[] scores, int k) {
    int n = Math.min(Math.max(k, 0), scores.length);
    int[] idx = new int[n];
    if (n == 0) {
      return idx;
    }
    int size = 0;
    for (int c = 0; c < scores.length; c++) {
      float s = scores[c];
      if (size == n && !(s > scores[idx[n - 1]])) {
        continue; // not above the current k-th (an equal score keeps the lower class, already in)
      }
      int at = size < n ? size++ : n - 1;
      while (at > 0 && s > scores[idx[at - 1]]) {
        idx[at] = idx[at - 1];
        at--;
      }
      idx[at] = c;
    }
    return idx;
  }
}
