package dev.labelbeam.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Turns a {@link MetricsAccumulator} into a {@link MultiLabelReport}. */
public final class MetricsReports {
  /** Classes with fewer positives keep the fixed threshold instead of a tuned one. */
  public static final int DEFAULT_MIN_SUPPORT_FOR_TUNING = 10;
  /** Points kept on the micro-averaged precision-recall curve. */
  static final int MAX_CURVE_POINTS = 200;

  private MetricsReports() {}

  public static MultiLabelReport report(MetricsAccumulator acc) {
    return report(acc, DEFAULT_MIN_SUPPORT_FOR_TUNING);
  }

  public static MultiLabelReport report(MetricsAccumulator acc, int minSupportForTuning) {
    ReportParts parts = parts(acc, minSupportForTuning);
    if (acc.isExact()) {
      parts.exactMicroAuc = exactPooledAuc(acc);
    }
    return assemble(List.of(parts), acc.stats, acc.threshold, minSupportForTuning,
        acc.isExact() ? null : acc.bins);
  }

  /**
   * What a report needs from the classes of one accumulator; the rows carry the classes' indices in
   * the whole evaluation ({@link MetricsAccumulator#classOffset()} + c for a block of classes).
   */
  public static ReportParts parts(MetricsAccumulator acc, int minSupportForTuning) {
    ReportParts out = new ReportParts();
    out.float64 = acc.isExact() && keptFloat64(acc);
    for (int c = 0; c < acc.numClasses; c++) {
      Confusion cm = new Confusion(acc.tp[c], acc.fp[c], acc.fn[c], acc.tn[c]);
      out.total = out.total.plus(cm);
      ClassRanking rank = acc.isExact() ? ClassRanking.exact(acc, c, out.float64) : ClassRanking.binned(acc, c);
      Double auc = null;
      Double aucErrorBound = null;
      String aucUndefinedReason = null;
      if (Double.isNaN(rank.auc)) {
        aucUndefinedReason = cm.support() == 0 ? "no positives" : "no negatives";
      } else {
        auc = rank.auc;
        if (!acc.isExact()) {
          aucErrorBound = rank.aucErrorBound;
        }
      }
      Double ap = null;
      String apUndefinedReason = null;
      if (Double.isNaN(rank.ap) || cm.tn + cm.fp == 0) {
        // no positives: AP undefined; no negatives: any scores give AP 1, which says nothing of the model
        apUndefinedReason = cm.support() == 0 ? "no positives" : "no negatives";
      } else {
        ap = rank.ap;
      }
      boolean tune = cm.support() >= minSupportForTuning;
      Confusion tuned = tune ? rank.atBest : cm;
      long n = cm.tp + cm.fp + cm.fn + cm.tn;
      MultiLabelReport.ClassMetrics m = new MultiLabelReport.ClassMetrics(acc.classOffset + c, null, cm.support(),
          acc.thresholdOf(c), cm.tp, cm.fp, cm.fn, cm.tn, cm.tp + cm.fp, n == 0 ? 0 : (double) (cm.tp + cm.tn) / n, cm.precision(),
          cm.recall(), cm.f1(), auc, aucErrorBound, aucUndefinedReason,
          ap, apUndefinedReason, tune ? rank.bestThreshold : acc.thresholdOf(c),
          tune ? "tuned" : "fallback: support below " + minSupportForTuning,
          tuned.precision(), tuned.recall(), tuned.f1());
      out.tunedTotal = out.tunedTotal.plus(tuned);
      out.rows.add(m);
    }
    long[][] pooled = pooledHistograms(acc);
    out.pooledPos = pooled[0];
    out.pooledNeg = pooled[1];
    return out;
  }

  /**
   * The report from the parts of every class (in any order; rows are sorted by class) and the
   * example-based statistics. {@code bins}: the binned mode's bins, null in exact mode.
   */
  public static MultiLabelReport assemble(List<ReportParts> parts, ExampleStats stats, double threshold,
      int minSupportForTuning, LogitBins bins) {
    boolean exact = bins == null;
    LogitBins curveBins = exact ? LogitBins.defaults() : bins;
    Confusion total = new Confusion(0, 0, 0, 0);
    Confusion tunedTotal = new Confusion(0, 0, 0, 0);
    long[] pos = new long[curveBins.bins()];
    long[] neg = new long[curveBins.bins()];
    Double exactMicroAuc = null;
    boolean float64 = exact && !parts.isEmpty();
    List<MultiLabelReport.ClassMetrics> rows = new ArrayList<>();
    for (ReportParts p : parts) {
      float64 &= p.float64;
      rows.addAll(p.rows);
      total = total.plus(p.total);
      tunedTotal = tunedTotal.plus(p.tunedTotal);
      for (int b = 0; b < pos.length; b++) {
        pos[b] += p.pooledPos[b];
        neg[b] += p.pooledNeg[b];
      }
      exactMicroAuc = p.exactMicroAuc;
    }
    rows.sort(java.util.Comparator.comparingInt(MultiLabelReport.ClassMetrics::index));
    int numClasses = rows.size();
    MultiLabelReport.Averages macro = average(rows, false);

    ClassRanking pooled = ClassRanking.fromHistograms(pos, neg, curveBins);
    if (exact && exactMicroAuc != null) {
      pooled.auc = exactMicroAuc;
      pooled.aucErrorBound = 0;
    }
    MultiLabelReport.Averages micro = new MultiLabelReport.Averages(total.precision(), total.recall(), total.f1(),
        tunedTotal.f1(), Double.isNaN(pooled.auc) ? null : pooled.auc, Double.isNaN(pooled.ap) ? null : pooled.ap,
        numClasses, numClasses);

    long n = stats.examples;
    MultiLabelReport.Samples samples = new MultiLabelReport.Samples(
        n == 0 ? 0 : stats.sumSamplePrecision / ExampleStats.FIXED_ONE / n,
        n == 0 ? 0 : stats.sumSampleRecall / ExampleStats.FIXED_ONE / n,
        n == 0 ? 0 : stats.sumSampleF1 / ExampleStats.FIXED_ONE / n);
    double meanTrue = n == 0 ? 0 : (double) stats.sumTrue / n;
    MultiLabelReport.Cardinality cardinality = new MultiLabelReport.Cardinality(meanTrue,
        n == 0 ? 0 : (double) stats.sumPredicted / n, numClasses == 0 ? 0 : meanTrue / numClasses,
        stats.withoutLabels, (int) rows.stream().filter(m -> m.support() == 0).count(),
        numClasses - macro.aucClasses());
    return new MultiLabelReport((exact ? MetricsOptions.Mode.EXACT : MetricsOptions.Mode.BINNED).jsonName(),
        exact ? null : bins.bins(), stats.examples, numClasses, threshold, null, minSupportForTuning, macro,
        average(rows, true), micro, samples, cardinality, rows, curve(pos, neg, curveBins), null,
        float64 ? "float64" : "float32", stats.exampleSet());
  }

  private static MultiLabelReport.Averages average(List<MultiLabelReport.ClassMetrics> rows, boolean bySupport) {
    double w = 0;
    double aucW = 0;
    double apW = 0;
    double precision = 0;
    double recall = 0;
    double f1 = 0;
    double tunedF1 = 0;
    double auc = 0;
    double ap = 0;
    int aucClasses = 0;
    int apClasses = 0;
    for (MultiLabelReport.ClassMetrics m : rows) {
      double k = bySupport ? m.support() : 1;
      w += k;
      precision += k * m.precision();
      recall += k * m.recall();
      f1 += k * m.f1();
      tunedF1 += k * m.tunedF1();
      if (m.auc() != null) {
        auc += k * m.auc();
        aucW += k;
        aucClasses++;
      }
      if (m.ap() != null) {
        ap += k * m.ap();
        apW += k;
        apClasses++;
      }
    }
    if (w > 0) {
      precision /= w;
      recall /= w;
      f1 /= w;
      tunedF1 /= w;
    }
    return new MultiLabelReport.Averages(precision, recall, f1, tunedF1, aucW > 0 ? auc / aucW : null,
        apW > 0 ? ap / apW : null, aucClasses, apClasses);
  }

  /** Every class's histograms summed: counts in {@code long}, as N × C passes 2^31 at 11,000 classes. */
  private static long[][] pooledHistograms(MetricsAccumulator acc) {
    LogitBins bins = acc.isExact() ? LogitBins.defaults() : acc.bins;
    int nb = bins.bins();
    long[] pos = new long[nb];
    long[] neg = new long[nb];
    if (acc.isExact()) {
      for (ScoredExample e : acc.kept) {
        for (int c = 0; c < acc.numClasses; c++) {
          int b = bins.bin(e.scores[c]);
          if ((e.labelBits[c >>> 3] & (1 << (c & 7))) != 0) {
            pos[b]++;
          } else {
            neg[b]++;
          }
        }
      }
    } else {
      acc.densify();
      for (int c = 0; c < acc.numClasses; c++) {
        for (int b = 0; b < nb; b++) {
          pos[b] += acc.posHist[c * nb + b];
          neg[b] += acc.negHist[c * nb + b];
        }
      }
    }
    return new long[][] {pos, neg};
  }

  private static double exactPooledAuc(MetricsAccumulator acc) {
    int n = acc.kept.size() * acc.numClasses;
    boolean float64 = keptFloat64(acc);
    double[] s64 = float64 ? new double[n] : null;
    float[] s32 = float64 ? null : new float[n];
    boolean[] l = new boolean[n];
    int k = 0;
    for (ScoredExample e : acc.kept) {
      for (int c = 0; c < acc.numClasses; c++) {
        if (float64) {
          s64[k] = e.scores64[c];
        } else {
          s32[k] = e.scores[c];
        }
        l[k++] = (e.labelBits[c >>> 3] & (1 << (c & 7))) != 0;
      }
    }
    return float64 ? BinaryMetrics.rocAuc(s64, l) : BinaryMetrics.rocAuc(s32, l);
  }

  /**
   * Whether an exact-mode accumulator compares its scores in float64: when every kept example
   * brought float64 scores (a predictions file); a mix, or none, compares at float32.
   */
  static boolean keptFloat64(MetricsAccumulator acc) {
    if (acc.kept == null || acc.kept.isEmpty()) {
      return false;
    }
    for (ScoredExample e : acc.kept) {
      if (e.scores64 == null) {
        return false;
      }
    }
    return true;
  }

  /** The micro-averaged precision-recall curve at the bin edges, thinned to at most 200 points. */
  private static List<MultiLabelReport.CurvePoint> curve(long[] pos, long[] neg, LogitBins bins) {
    long p = Arrays.stream(pos).sum();
    List<MultiLabelReport.CurvePoint> all = new ArrayList<>();
    if (p == 0) {
      return all;
    }
    long tp = 0;
    long fp = 0;
    for (int b = bins.bins() - 1; b >= 0; b--) {
      if (pos[b] + neg[b] == 0) {
        continue;
      }
      tp += pos[b];
      fp += neg[b];
      all.add(new MultiLabelReport.CurvePoint(bins.edge(b), (double) tp / (tp + fp), (double) tp / p));
    }
    if (all.size() <= MAX_CURVE_POINTS) {
      return all;
    }
    List<MultiLabelReport.CurvePoint> thin = new ArrayList<>();
    for (int i = 0; i < MAX_CURVE_POINTS; i++) {
      thin.add(all.get((int) ((long) i * (all.size() - 1) / (MAX_CURVE_POINTS - 1))));
    }
    return thin;
  }
}
