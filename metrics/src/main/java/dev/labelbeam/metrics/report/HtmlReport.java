package dev.labelbeam.metrics.report;

import dev.labelbeam.metrics.MultiLabelReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One self-contained HTML page for a {@link MultiLabelReport}: summary averages (with the baseline
 * when present), the distributions of per-class F1 and AUC, the micro-averaged precision-recall
 * curve, F1 against support, the best and worst classes and a box that finds any class by name
 * ({@link ClassSearch}). Charts are PNGs drawn with XChart and inlined as data URIs, the class rows are
 * inline JSON, so the file opens offline in any browser.
 */
public final class HtmlReport {
  /** File name in the output folder. */
  public static final String FILE_NAME = "report.html";
  private static final int W = 560;
  private static final int H = 360;
  private static final int TOP = 10;

  private HtmlReport() {}

  public static String render(MultiLabelReport r, String title) {
    System.setProperty("java.awt.headless", "true");
    StringBuilder h = new StringBuilder();
    head(h, title);
    h.append("<h1>").append(esc(title)).append("</h1>\n");
    h.append(String.format(Locale.ROOT, "<p>%d examples, %d classes, %s mode%s, decision threshold %.3f.</p>%n",
        r.numExamples(), r.numClasses(), esc(r.mode()), r.bins() == null ? "" : " (" + r.bins() + " logit bins per class)", r.threshold()));
    if (r.thresholdsFrom() != null) {
      h.append("<p>Decision thresholds: per class, from ").append(esc(r.thresholdsFrom()))
          .append(" (precision, recall and F1 are at those thresholds).</p>\n");
    }

    h.append("<h2>Averages</h2>\n<table><tr><th class=l></th><th>precision</th><th>recall</th><th>F1</th>"
        + "<th>F1 at thresholds tuned on this data (optimistic)</th><th>ROC AUC</th><th>AP</th></tr>\n");
    avgRow(h, "macro", r.macro());
    avgRow(h, "weighted by support", r.weighted());
    avgRow(h, "micro", r.micro());
    h.append(String.format(Locale.ROOT, "<tr><td class=l>samples</td><td>%s</td><td>%s</td><td>%s</td><td></td><td></td><td></td></tr>%n",
        f(r.samples().precision()), f(r.samples().recall()), f(r.samples().f1())));
    if (r.baseline() != null) {
      avgRow(h, "baseline macro", r.baseline().macro());
      avgRow(h, "baseline micro", r.baseline().micro());
    }
    h.append("</table>\n");
    if (r.baseline() != null) {
      h.append("<p class=note>Baseline: ").append(esc(r.baseline().description())).append(".</p>\n");
    }
    h.append(String.format(Locale.ROOT,
        "<p class=note>Macro AUC and mAP average the %d classes where they are defined; %d classes have no AUC "
            + "(no positives or no negatives). Mean true labels per example %.3f, predicted %.3f; %d examples without labels.</p>%n",
        r.macro().aucClasses(), r.cardinality().classesWithoutAuc(), r.cardinality().meanTrueLabels(),
        r.cardinality().meanPredictedLabels(), r.cardinality().examplesWithoutLabels()));

    h.append("<h2>Charts</h2>\n<div class=charts>\n");
    img(h, histogram("Per-class F1 at threshold", r.perClass().stream().map(m -> m.f1()).collect(Collectors.toList()), "F1"));
    img(h, histogram("Per-class ROC AUC", r.perClass().stream().filter(m -> m.auc() != null).map(m -> m.auc())
        .collect(Collectors.toList()), "AUC"));
    img(h, prCurve(r));
    img(h, f1VsSupport(r));
    h.append("</div>\n");

    List<MultiLabelReport.ClassMetrics> ranked = r.perClass().stream().filter(m -> m.support() > 0)
        .sorted(Comparator.comparingDouble((MultiLabelReport.ClassMetrics m) -> m.f1()).reversed()
            .thenComparing(m -> m.index()))
        .collect(Collectors.toList());
    h.append("<h2>Best classes by F1</h2>\n");
    classTable(h, ranked.subList(0, Math.min(TOP, ranked.size())));
    List<MultiLabelReport.ClassMetrics> worst = new ArrayList<>(ranked.subList(Math.max(0, ranked.size() - TOP), ranked.size()));
    java.util.Collections.reverse(worst);
    h.append("<h2>Worst classes by F1</h2>\n");
    classTable(h, worst);
    ClassSearch.append(h, r.perClass());
    h.append("<p class=note>Every class is also in per_class.csv and metrics.json beside this file.</p>\n</body></html>\n");
    return h.toString();
  }

  /** The page's head and style, and the opening body tag. */
  static void head(StringBuilder h, String title) {
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
        .append(esc(title)).append("</title>\n<style>")
        .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}")
        .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}")
        .append("th{background:#f3f3f3}td.l,th.l{text-align:left}.charts img{margin:4px;border:1px solid #eee}")
        .append(".note{color:#555;font-size:90%}</style></head><body>\n");
  }

  private static void avgRow(StringBuilder h, String name, MultiLabelReport.Averages a) {
    if (a == null) {
      return;
    }
    h.append(String.format(Locale.ROOT, "<tr><td class=l>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>%n",
        esc(name), f(a.precision()), f(a.recall()), f(a.f1()), f(a.tunedF1()), a.auc() == null ? "n/a" : f(a.auc()),
        a.ap() == null ? "n/a" : f(a.ap())));
  }

  private static void classTable(StringBuilder h, List<MultiLabelReport.ClassMetrics> rows) {
    h.append("<table><tr><th class=l>class</th><th>support</th><th>precision</th><th>recall</th><th>F1</th>"
        + "<th>AUC</th><th>AP</th><th>tuned threshold</th><th>tuned F1</th></tr>\n");
    for (MultiLabelReport.ClassMetrics m : rows) {
      h.append(String.format(Locale.ROOT, "<tr><td class=l>%s</td><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%.4g</td><td>%s</td></tr>%n",
          esc(m.name()), m.support(), f(m.precision()), f(m.recall()), f(m.f1()),
          m.auc() == null ? "n/a" : f(m.auc()), m.ap() == null ? "n/a" : f(m.ap()), m.tunedThreshold(), f(m.tunedF1())));
    }
    h.append("</table>\n");
  }

  static CategoryChart histogram(String title, List<Double> values, String x) {
    int bins = 20;
    List<String> labels = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    for (int b = 0; b < bins; b++) {
      labels.add(String.format(Locale.ROOT, "%.2f", (double) b / bins));
      counts.add(0);
    }
    for (double v : values) {
      int b = Math.min(bins - 1, Math.max(0, (int) (v * bins)));
      counts.set(b, counts.get(b) + 1);
    }
    CategoryChart c = new CategoryChartBuilder().width(W).height(H).title(title).xAxisTitle(x + " (bin lower edge)")
        .yAxisTitle("classes").build();
    c.getStyler().setLegendVisible(false);
    c.getStyler().setXAxisLabelRotation(60);
    c.addSeries("classes", labels, counts);
    return c;
  }

  private static XYChart prCurve(MultiLabelReport r) {
    XYChart c = new XYChartBuilder().width(W).height(H).title("Micro-averaged precision-recall")
        .xAxisTitle("recall").yAxisTitle("precision").build();
    c.getStyler().setLegendVisible(false);
    c.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
    double[] x = r.microPrCurve().stream().mapToDouble(p -> p.recall()).toArray();
    double[] y = r.microPrCurve().stream().mapToDouble(p -> p.precision()).toArray();
    if (x.length == 0) {
      x = new double[] {0};
      y = new double[] {0};
    }
    XYSeries s = c.addSeries("micro", x, y);
    s.setMarker(SeriesMarkers.NONE);
    return c;
  }

  private static XYChart f1VsSupport(MultiLabelReport r) {
    double maxSupport = r.perClass().stream().mapToDouble(m -> m.support()).max().orElse(1);
    double minSupport = r.perClass().stream().filter(m -> m.support() > 0).mapToDouble(m -> m.support()).min().orElse(1);
    boolean log = maxSupport / minSupport > 50; // a log axis over a narrow range shows no ticks
    XYChart c = new XYChartBuilder().width(W).height(H).title("F1 against support")
        .xAxisTitle(log ? "support (positives, log scale)" : "support (positives)").yAxisTitle("F1").build();
    c.getStyler().setLegendVisible(false);
    c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    c.getStyler().setXAxisLogarithmic(log);
    c.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    c.getStyler().setMarkerSize(5);
    double[] x = r.perClass().stream().filter(m -> m.support() > 0).mapToDouble(m -> m.support()).toArray();
    double[] y = r.perClass().stream().filter(m -> m.support() > 0).mapToDouble(m -> m.f1()).toArray();
    if (x.length == 0) {
      x = new double[] {1};
      y = new double[] {0};
    }
    c.addSeries("classes", x, y);
    return c;
  }

  static void img(StringBuilder h, Chart<?, ?> chart) {
    try {
      chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
      chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
      byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
      h.append("<img alt=\"").append(esc(chart.getTitle())).append("\" src=\"data:image/png;base64,")
          .append(Base64.getEncoder().encodeToString(png)).append("\">\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String f(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
