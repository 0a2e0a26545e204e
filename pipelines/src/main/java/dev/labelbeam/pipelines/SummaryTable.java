package dev.labelbeam.pipelines;

import dev.labelbeam.metrics.MultiLabelReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Formats a {@link MultiLabelReport} as the table the commands print: every class up to
 * {@value #ALL_ROWS_UP_TO} classes; above that (11,000 labels would print 11,000 lines) the
 * {@value #BEST_AND_WORST} best and worst classes by F1 among those with positives, then the averages.
 * Every class is in {@code per_class.csv} and {@code metrics.json}.
 */
public final class SummaryTable {
  /** Reports with at most this many classes print every class. */
  public static final int ALL_ROWS_UP_TO = 50;
  /** Above {@link #ALL_ROWS_UP_TO}: this many best and this many worst classes. */
  public static final int BEST_AND_WORST = 10;

  private SummaryTable() {}

  /** The rows printed: all classes, or the best and worst by F1 (classes with positives) and a gap marker (null). */
  static List<MultiLabelReport.ClassMetrics> rows(MultiLabelReport r) {
    if (r.perClass().size() <= ALL_ROWS_UP_TO) {
      return r.perClass();
    }
    List<MultiLabelReport.ClassMetrics> ranked = new ArrayList<>();
    for (MultiLabelReport.ClassMetrics m : r.perClass()) {
      if (m.support() > 0) {
        ranked.add(m);
      }
    }
    ranked.sort(Comparator.comparingDouble((MultiLabelReport.ClassMetrics m) -> -m.f1()).thenComparingInt(m -> m.index()));
    if (ranked.size() <= 2 * BEST_AND_WORST) {
      return ranked;
    }
    List<MultiLabelReport.ClassMetrics> out = new ArrayList<>(ranked.subList(0, BEST_AND_WORST));
    out.add(null);
    out.addAll(ranked.subList(ranked.size() - BEST_AND_WORST, ranked.size()));
    return out;
  }

  public static String format(MultiLabelReport r) {
    StringBuilder sb = new StringBuilder();
    int w = 12;
    List<MultiLabelReport.ClassMetrics> rows = rows(r);
    for (MultiLabelReport.ClassMetrics m : rows) {
      if (m != null) {
        w = Math.max(w, m.label() == null ? 4 : Math.min(40, m.label().length()));
      }
    }
    String rowFmt = "%-" + w + "s %8s %9s %7s %7s %7s %7s %8s%n";
    sb.append(String.format(Locale.ROOT, rowFmt, "class", "support", "precision", "recall", "F1", "AUC", "AP", "tunedF1"));
    if (rows != r.perClass()) {
      sb.append(String.format(Locale.ROOT, "%d classes: the %d best and %d worst by F1 among those with positives "
          + "(every class in per_class.csv)%n", r.perClass().size(), BEST_AND_WORST, BEST_AND_WORST));
    }
    for (MultiLabelReport.ClassMetrics m : rows) {
      if (m == null) {
        sb.append(String.format(Locale.ROOT, "%-" + w + "s%n", "..."));
        continue;
      }
      String name = m.name();
      if (name.length() > 40) {
        name = name.substring(0, 37) + "...";
      }
      sb.append(String.format(Locale.ROOT, rowFmt, name, m.support(), f(m.precision()), f(m.recall()), f(m.f1()),
          m.auc() == null ? "n/a" : f(m.auc()), m.ap() == null ? "n/a" : f(m.ap()), f(m.tunedF1())));
    }
    avg(sb, rowFmt, "macro", r.macro());
    avg(sb, rowFmt, "weighted", r.weighted());
    avg(sb, rowFmt, "micro", r.micro());
    sb.append(String.format(Locale.ROOT, rowFmt, "samples", "", f(r.samples().precision()), f(r.samples().recall()),
        f(r.samples().f1()), "", "", ""));
    if (r.baseline() != null) {
      avg(sb, rowFmt, "baseline macro", r.baseline().macro());
    }
    sb.append(String.format(Locale.ROOT, "%d examples, %d classes, %s, %s mode (AP average = mAP; tunedF1 at per-class "
        + "thresholds tuned on this split: optimistic)", r.numExamples(), r.numClasses(), r.thresholdsFrom() == null
        ? String.format(Locale.ROOT, "threshold %.2f", r.threshold()) : "per-class thresholds from " + r.thresholdsFrom(),
        r.mode()));
    if (r.macro().aucClasses() < r.numClasses()) {
      sb.append(String.format(Locale.ROOT, "; %d classes without AUC (no positives or no negatives) left out of macro AUC",
          r.numClasses() - r.macro().aucClasses()));
    }
    sb.append('\n');
    if (r.baseline() != null) {
      sb.append(String.format(Locale.ROOT, "macro-F1 %.4f vs baseline %.4f; macro-AUC %s vs baseline %s (%s)%n",
          r.macro().f1(), r.baseline().macro().f1(), r.macro().auc() == null ? "n/a" : f(r.macro().auc()),
          r.baseline().macro().auc() == null ? "n/a" : f(r.baseline().macro().auc()), r.baseline().description()));
    }
    return sb.toString();
  }

  private static void avg(StringBuilder sb, String rowFmt, String name, MultiLabelReport.Averages a) {
    sb.append(String.format(Locale.ROOT, rowFmt, name, "", f(a.precision()), f(a.recall()), f(a.f1()),
        a.auc() == null ? "n/a" : f(a.auc()), a.ap() == null ? "n/a" : f(a.ap()), f(a.tunedF1())));
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
