package dev.labelbeam.pipelines;

import dev.labelbeam.metrics.MultiLabelReport;
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
    String rowFmt = "%-" + w + "s %8s %9s %7s %7s %7s %7s %8s%n";
    sb.append(String.format(Locale.ROOT, rowFmt, "class", "support", "precision", "recall", "F1", "AUC", "AP", "tunedF1"));
    for (MultiLabelReport.ClassMetrics m : r.perClass) {
      String name = m.label == null ? Integer.toString(m.index) : m.label;
      if (name.length() > 40) {
        name = name.substring(0, 37) + "...";
      }
      sb.append(String.format(Locale.ROOT, rowFmt, name, m.support, f(m.precision), f(m.recall), f(m.f1),
          m.auc == null ? "n/a" : f(m.auc), m.ap == null ? "n/a" : f(m.ap), f(m.tunedF1)));
    }
    avg(sb, rowFmt, "macro", r.macro);
    avg(sb, rowFmt, "weighted", r.weighted);
    avg(sb, rowFmt, "micro", r.micro);
    sb.append(String.format(Locale.ROOT, rowFmt, "samples", "", f(r.samples.precision), f(r.samples.recall),
        f(r.samples.f1), "", "", ""));
    if (r.baseline != null) {
      avg(sb, rowFmt, "baseline macro", r.baseline.macro);
    }
    sb.append(String.format(Locale.ROOT, "%d examples, %d classes, threshold %.2f, %s mode (AP average = mAP; tunedF1 at per-class thresholds tuned on this split)",
        r.numExamples, r.numClasses, r.threshold, r.mode));
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

  private static void avg(StringBuilder sb, String rowFmt, String name, MultiLabelReport.Averages a) {
    sb.append(String.format(Locale.ROOT, rowFmt, name, "", f(a.precision), f(a.recall), f(a.f1),
        a.auc == null ? "n/a" : f(a.auc), a.ap == null ? "n/a" : f(a.ap), f(a.tunedF1)));
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
