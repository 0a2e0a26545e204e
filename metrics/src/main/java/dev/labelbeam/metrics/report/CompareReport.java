package dev.labelbeam.metrics.report;

import static dev.labelbeam.metrics.report.HtmlReport.esc;
import static dev.labelbeam.metrics.report.HtmlReport.f;

import dev.labelbeam.metrics.ReportComparison;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/**
 * {@code compare.html}: model B against model A on one page, offline: the averages of both, how many
 * classes got better or worse, the largest gains and losses, and the charts side by side (per-class AUC
 * distributions of A and B, and B's AUC against A's per class).
 */
public final class CompareReport {
  /** File name in the output folder. */
  public static final String FILE_NAME = "compare.html";

  private CompareReport() {}

  public static String render(ReportComparison c) {
    System.setProperty("java.awt.headless", "true");
    StringBuilder h = new StringBuilder();
    String title = "labelbeam comparison: " + c.b() + " against " + c.a();
    HtmlReport.head(h, title);
    h.append("<h1>").append(esc(title)).append("</h1>\n");
    h.append(String.format(Locale.ROOT, "<p>%d examples, %d classes. By ROC AUC (%s): "
        + "<b>%d better</b>, <b>%d worse</b>, %d not told apart.</p>%n", c.numExamples(), c.perClass().size(),
        esc(c.method()), c.better(), c.worse(), c.same()));
    h.append("<table><tr><th class=l></th><th>A: ").append(esc(c.a())).append("</th><th>B: ").append(esc(c.b()))
        .append("</th><th>B − A</th></tr>\n");
    row(h, "macro F1", c.macroF1()[0], c.macroF1()[1]);
    row(h, "macro AUC", c.macroAuc()[0], c.macroAuc()[1]);
    row(h, "mAP", c.map()[0], c.map()[1]);
    h.append("</table>\n<div class=charts>\n");
    HtmlReport.img(h, HtmlReport.histogram("Per-class ROC AUC: A", aucs(c, true), "AUC"));
    HtmlReport.img(h, HtmlReport.histogram("Per-class ROC AUC: B", aucs(c, false), "AUC"));
    HtmlReport.img(h, scatter(c));
    h.append("</div>\n<h2>Largest gains (AUC)</h2>\n");
    table(h, c.largestGains());
    h.append("<h2>Largest losses (AUC)</h2>\n");
    table(h, c.largestLosses());
    h.append("<p class=note>Every class is in compare.json beside this file.</p>\n</body></html>\n");
    return h.toString();
  }

  private static void row(StringBuilder h, String name, Double a, Double b) {
    h.append("<tr><td class=l>").append(name).append("</td><td>").append(a == null ? "n/a" : f(a)).append("</td><td>")
        .append(b == null ? "n/a" : f(b)).append("</td><td>").append(a == null || b == null ? "n/a" : f(b - a))
        .append("</td></tr>\n");
  }

  private static List<Double> aucs(ReportComparison c, boolean a) {
    return c.perClass().stream().map(d -> a ? d.aucA() : d.aucB()).filter(Objects::nonNull).toList();
  }

  private static XYChart scatter(ReportComparison c) {
    XYChart chart = new XYChartBuilder().width(560).height(360).title("Per-class AUC: B against A")
        .xAxisTitle("AUC of A").yAxisTitle("AUC of B").build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    chart.getStyler().setMarkerSize(5);
    List<ReportComparison.ClassDelta> both = c.perClass().stream().filter(d -> d.aucDelta() != null).toList();
    double[] x = both.stream().mapToDouble(ReportComparison.ClassDelta::aucA).toArray();
    double[] y = both.stream().mapToDouble(ReportComparison.ClassDelta::aucB).toArray();
    chart.addSeries("classes", x.length == 0 ? new double[] {0} : x, y.length == 0 ? new double[] {0} : y);
    return chart;
  }

  private static void table(StringBuilder h, List<ReportComparison.ClassDelta> rows) {
    h.append("<table><tr><th class=l>class</th><th>support</th><th>AUC A</th><th>AUC B</th><th>Δ AUC</th>"
        + "<th>F1 A</th><th>F1 B</th></tr>\n");
    for (ReportComparison.ClassDelta d : rows) {
      h.append("<tr><td class=l>").append(esc(d.label())).append("</td><td>").append(d.support()).append("</td><td>")
          .append(f(d.aucA())).append("</td><td>").append(f(d.aucB())).append("</td><td>").append(f(d.aucDelta()))
          .append("</td><td>").append(f(d.f1A())).append("</td><td>").append(f(d.f1B())).append("</td></tr>\n");
    }
    h.append("</table>\n");
  }
}
