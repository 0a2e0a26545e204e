package dev.labelbeam.shard;

import java.util.List;

/**
 * Whether a model and data (or a checkpoint and the data it resumes on) use the same classes in the
 * same order. Scores are read by position: class {@code i} of the model is label {@code i} of the
 * data, so a model of reordered labels evaluated on such shards gives wrong metrics without any
 * error. Commands refuse a mismatch with {@link #problem}'s message.
 */
public final class LabelMatch {
  private LabelMatch() {}

  /**
   * Null when {@code a} and {@code b} are the same labels in the same order; otherwise a message
   * naming the first difference.
   *
   * @param aName what {@code a} is, e.g. "the model (model.json)"
   * @param bName what {@code b} is, e.g. "the shards' labels.txt"
   */
  public static String problem(String aName, List<String> a, String bName, List<String> b) {
    if (a.equals(b)) {
      return null;
    }
    if (a.size() != b.size()) {
      return String.format("%s has %d labels, %s %d", aName, a.size(), bName, b.size())
          + firstDifference(a, b);
    }
    if (new java.util.HashSet<>(a).equals(new java.util.HashSet<>(b))) {
      return String.format("%s and %s have the same %d labels in another order", aName, bName, a.size())
          + firstDifference(a, b) + "; scores are read by position, so every metric would be wrong";
    }
    return String.format("%s and %s have different labels", aName, bName) + firstDifference(a, b);
  }

  private static String firstDifference(List<String> a, List<String> b) {
    int n = Math.min(a.size(), b.size());
    for (int i = 0; i < n; i++) {
      if (!a.get(i).equals(b.get(i))) {
        return String.format(" (first difference at class %d: '%s' vs '%s')", i, a.get(i), b.get(i));
      }
    }
    return n < Math.max(a.size(), b.size())
        ? String.format(" (the first %d agree; then '%s')", n, (a.size() > n ? a : b).get(n))
        : "";
  }
}
