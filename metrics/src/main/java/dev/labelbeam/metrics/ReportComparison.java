package dev.labelbeam.metrics;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.labelbeam.shard.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Model B against model A on the same examples and classes: per-class deltas of F1, AUC and AP (B −
 * A), how many classes got better or worse by AUC beyond what the binned evaluation can resolve (the
 * sum of both classes' {@code aucErrorBound}; any difference in exact mode, or by a paired bootstrap over
 * the examples when both evaluations kept their scores: {@link #withBootstrap}), and the largest gains and
 * losses. {@link #of} refuses reports of other label sets, example counts or example sets (another
 * split or dataset of the same size: {@link MultiLabelReport#exampleSet}).
 *
 * @param a the folder or name of the first report, {@code b} the second
 * @param numExamples the examples both were evaluated on
 * @param macroF1 macro F1 of A and B; {@code macroAuc} and {@code map} the same for AUC and AP
 * @param method how better and worse were decided: beyond the binned bounds, any difference (exact), or
 *     a paired bootstrap's 95% interval ({@link #withBootstrap})
 * @param better classes whose AUC is higher in B beyond the bound; {@code worse} lower; {@code same} the rest
 *     of the classes with an AUC in both
 * @param perClass every class's deltas, in class order
 * @param largestGains the classes of largest AUC gain (at most 10); {@code largestLosses} of largest loss
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReportComparison(String a, String b, long numExamples, double[] macroF1, Double[] macroAuc,
    Double[] map, String method, int better, int worse, int same, List<ClassDelta> perClass,
    List<ClassDelta> largestGains, List<ClassDelta> largestLosses) {

  /** Largest gains and losses listed. */
  public static final int TOP = 10;

  /** Rounding room beyond the AUC bound before a difference counts (AUCs sum up to millions of terms). */
  static final double BOUND_SLACK = 1e-9;

  /**
   * One class in both reports.
   *
   * @param aucBound how far apart the two AUCs may be from binning alone (0 in exact mode)
   * @param aucDeltaLow the paired bootstrap's 95% interval of AUC(B) − AUC(A), from {@code aucDeltaLow} to
   *     {@code aucDeltaHigh}; null without a bootstrap
   */
  public record ClassDelta(int index, String label, long support, double f1A, double f1B, Double aucA, Double aucB,
      Double apA, Double apB, double aucBound, Double aucDeltaLow, Double aucDeltaHigh) {
    /** The verdict for this class: +1 better, -1 worse, 0 the same, null without an AUC in both. */
    Integer verdict() {
      if (aucDelta() == null) {
        return null;
      }
      if (aucDeltaLow != null) {
        return aucDeltaLow > 0 ? 1 : aucDeltaHigh < 0 ? -1 : 0;
      }
      // beyond the bound, with room for rounding: identical scores evaluated binned and exact differ by
      // exactly the bound when every tie falls one way, which floating sums may put a hair over it
      double beyond = aucBound + BOUND_SLACK;
      return aucDelta() > beyond ? 1 : aucDelta() < -beyond ? -1 : 0;
    }

    /** AUC of B minus A, or null when either is undefined. */
    public Double aucDelta() {
      return aucA == null || aucB == null ? null : aucB - aucA;
    }

    /** F1 of B minus A. */
    public double f1Delta() {
      return f1B - f1A;
    }
  }

  /**
   * The comparison of {@code b} against {@code a}.
   *
   * @throws IllegalArgumentException when the reports have other labels (or order) or example counts
   */
  public static ReportComparison of(String nameA, MultiLabelReport a, String nameB, MultiLabelReport b) {
    List<String> la = a.perClass().stream().map(MultiLabelReport.ClassMetrics::name).toList();
    List<String> lb = b.perClass().stream().map(MultiLabelReport.ClassMetrics::name).toList();
    if (!la.equals(lb)) {
      throw new IllegalArgumentException(nameA + " and " + nameB + " were evaluated on other label sets ("
          + la.size() + " and " + lb.size() + " classes" + (la.size() == lb.size() ? ", other names or order" : "")
          + "): compare evaluations of the same labels");
    }
    if (a.numExamples() != b.numExamples()) {
      throw new IllegalArgumentException(nameA + " has " + a.numExamples() + " examples and " + nameB + " "
          + b.numExamples() + ": compare evaluations of the same split");
    }
    if (a.exampleSet() != null && b.exampleSet() != null && !a.exampleSet().equals(b.exampleSet())) {
      throw new IllegalArgumentException(nameA + " and " + nameB + " were evaluated on " + a.numExamples()
          + " examples each, but not the same ones (their ids differ: metrics.json exampleSet " + a.exampleSet() + " and "
          + b.exampleSet() + "): compare evaluations of the same split of the same dataset");
    }
    List<ClassDelta> rows = new ArrayList<>();
    for (int c = 0; c < la.size(); c++) {
      MultiLabelReport.ClassMetrics x = a.perClass().get(c);
      MultiLabelReport.ClassMetrics y = b.perClass().get(c);
      double bound = (x.aucErrorBound() == null ? 0 : x.aucErrorBound()) + (y.aucErrorBound() == null ? 0 : y.aucErrorBound());
      rows.add(new ClassDelta(x.index(), x.name(), x.support(), x.f1(), y.f1(), x.auc(), y.auc(), x.ap(), y.ap(),
          bound, null, null));
    }
    boolean exact = "exact".equals(a.mode()) && "exact".equals(b.mode());
    return tally(nameA, nameB, a.numExamples(), new double[] {a.macro().f1(), b.macro().f1()},
        new Double[] {a.macro().auc(), b.macro().auc()}, new Double[] {a.macro().ap(), b.macro().ap()},
        exact ? "exact: any AUC difference" : "AUC difference beyond the sum of both binned AUC error bounds", rows);
  }

  /**
   * This comparison with better and worse decided by a paired bootstrap's 95% interval of each class's
   * AUC difference ({@link PairedBootstrap}), class {@code c}'s in {@code intervals[c]}.
   */
  public ReportComparison withBootstrap(PairedBootstrap.Interval[] intervals, int resamples) {
    if (intervals.length != perClass.size()) {
      throw new IllegalArgumentException(intervals.length + " intervals for " + perClass.size() + " classes");
    }
    List<ClassDelta> rows = new ArrayList<>();
    for (int c = 0; c < perClass.size(); c++) {
      ClassDelta d = perClass.get(c);
      rows.add(new ClassDelta(d.index(), d.label(), d.support(), d.f1A(), d.f1B(), d.aucA(), d.aucB(), d.apA(), d.apB(),
          d.aucBound(), intervals[c].low(), intervals[c].high()));
    }
    return tally(a, b, numExamples, macroF1, macroAuc, map, "paired bootstrap over examples, " + resamples
        + " resamples: the 95% interval of the AUC difference above or below 0", rows);
  }

  private static ReportComparison tally(String a, String b, long n, double[] f1, Double[] auc, Double[] map,
      String method, List<ClassDelta> rows) {
    int better = 0;
    int worse = 0;
    int same = 0;
    for (ClassDelta d : rows) {
      Integer v = d.verdict();
      if (v != null) {
        better += v > 0 ? 1 : 0;
        worse += v < 0 ? 1 : 0;
        same += v == 0 ? 1 : 0;
      }
    }
    List<ClassDelta> ranked = rows.stream().filter(d -> d.aucDelta() != null)
        .sorted(Comparator.comparingDouble(ClassDelta::aucDelta).reversed().thenComparingInt(ClassDelta::index)).toList();
    List<ClassDelta> gains = ranked.stream().filter(d -> d.aucDelta() > 0).limit(TOP).toList();
    List<ClassDelta> losses = new ArrayList<>(ranked.stream().filter(d -> d.aucDelta() < 0).toList());
    java.util.Collections.reverse(losses);
    return new ReportComparison(a, b, n, f1, auc, map, method, better, worse, same, rows, gains,
        losses.subList(0, Math.min(TOP, losses.size())));
  }

  /** {@code compare.json}. */
  public String toJson() {
    return Json.write(this);
  }
}
