package dev.labelbeam.pipelines;

import dev.labelbeam.transforms.evaluation.MultiLabelReport;
import java.util.Locale;

/** Formats a {@link MultiLabelReport} as the table the commands print. */
public final class SummaryTable {
  private SummaryTable() {}

  public static String format(MultiLabelReport r) {
    StringBuilder sb = new StringBuilder();
    int w = 12;
    for (MultiLabelReport.ClassMetrics m : r.perClass) {
      w = Math.max(w, m.label == null ? 4 : Math.min(40, m.label.length()));
    }
    String rowFmt = "%-" + w + "s %8s %9s %7s %7s %7s%n";
    sb.append(String.format(Locale.ROOT, rowFmt, "class", "support", "precision", "recall", "F1", "AUC"));
    for (MultiLabelReport.ClassMetrics m : r.perClass) {
      String name = m.label == null ? Integer.toString(m.index) : m.label;
      if (name.length() > 40) {
        name = name.substring(0, 37) + "...";
      }
      sb.append(String.format(Locale.ROOT, rowFmt, name, m.support, f(m.precision), f(m.recall), f(m.f1),
          m.auc == null ? "n/a" : f(m.auc)));
    }
    sb.append(String.format(Locale.ROOT, rowFmt, "macro", "", f(r.macro.precision), f(r.macro.recall),
        f(r.macro.f1), r.macro.auc == null ? "n/a" : f(r.macro.auc)));
    sb.append(String.format(Locale.ROOT, rowFmt, "micro", "", f(r.micro.precision), f(r.micro.recall),
        f(r.micro.f1), r.micro.auc == null ? "n/a" : f(r.micro.auc)));
    if (r.baseline != null) {
      sb.append(String.format(Locale.ROOT, rowFmt, "baseline macro", "", f(r.baseline.macro.precision),
          f(r.baseline.macro.recall), f(r.baseline.macro.f1), r.baseline.macro.auc == null ? "n/a" : f(r.baseline.macro.auc)));
    }
    sb.append(String.format(Locale.ROOT, "%d examples, %d classes, threshold %.2f", r.numExamples, r.numClasses, r.threshold));
    if (r.macro.aucClasses < r.numClasses) {
      sb.append(String.format(Locale.ROOT, "; %d classes without AUC (no positives or no negatives) left out of macro AUC",
          r.numClasses - r.macro.aucClasses));
    }
    sb.append('\n');
    if (r.baseline != null) {
      sb.append(String.format(Locale.ROOT, "macro-F1 %.4f vs baseline %.4f; macro-AUC %s vs baseline %s (%s)%n",
          r.macro.f1, r.baseline.macro.f1, r.macro.auc == null ? "n/a" : f(r.macro.auc),
          r.baseline.macro.auc == null ? "n/a" : f(r.baseline.macro.auc), r.baseline.description));
    }
    return sb.toString();
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
