package dev.labelbeam.metrics;

import dev.labelbeam.shard.Json;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The evaluation's result: the content of {@code metrics.json}. Its schema:
 *
 * <ul>
 *   <li>{@code mode}: {@code exact} (every score kept) or {@code binned} (per-class score histograms
 *       of {@code bins} bins, uniform in logit); {@code numExamples}, {@code numClasses};
 *       {@code threshold}: the fixed decision threshold (a score at or above it predicts the label).
 *   <li>{@code perClass[]}: {@code index}, {@code label}, {@code support} (positives), {@code tp fp fn
 *       tn}, {@code precision recall f1} at {@code threshold} (exact in both modes); {@code auc} (ROC)
 *       and {@code ap} (average precision), tied scores counted as scikit-learn does; in binned mode
 *       {@code aucErrorBound} bounds {@code |auc - exact auc|}. {@code auc} is {@code null} with
 *       {@code aucUndefinedReason} for a class without positives or without negatives; {@code ap} the
 *       same, with {@code apUndefinedReason} (a class whose every example is positive would get AP 1
 *       from any scores, so it is left out of mAP as of macro-AUC). {@code tunedThreshold} maximizes the class's F1 on this data
 *       ({@code thresholdSource} "tuned"), or is {@code threshold} for classes with fewer than
 *       {@code minSupportForTuning} positives ("fallback"); {@code tunedPrecision tunedRecall
 *       tunedF1} are measured at it.
 *   <li>{@code macro}: unweighted means over classes; precision, recall, F1 and tunedF1 average all
 *       classes (as scikit-learn's {@code average="macro"}), {@code auc} and {@code ap} (= mAP) only
 *       the classes where they are defined ({@code aucClasses}, {@code apClasses}). {@code weighted}: the same,
 *       weighted by support. {@code micro}: from the summed confusion counts, and AUC/AP of all
 *       (example, class) pairs pooled.
 *   <li>{@code samples}: example-based precision, recall, F1 at {@code threshold} (an example with
 *       no true and no predicted label scores 0, scikit-learn's {@code zero_division=0}).
 *   <li>{@code cardinality}: mean true and predicted labels per example, label density, examples
 *       without labels, classes without positives, classes without AUC.
 *   <li>{@code microPrCurve}: up to 200 (threshold, precision, recall) points; {@code baseline}: the
 *       averages of a reference predictor, when the evaluation computed one.
 * </ul>
 *
 * Where a rate's denominator is zero it is 0.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonIgnoreProperties(ignoreUnknown = true)
public final class MultiLabelReport implements Serializable {
  private static final long serialVersionUID = 1L;

  public String mode;
  public Integer bins;
  public long numExamples;
  public int numClasses;
  public double threshold;
  public int minSupportForTuning;
  public Averages macro = new Averages();
  public Averages weighted = new Averages();
  public Averages micro = new Averages();
  public Samples samples = new Samples();
  public Cardinality cardinality = new Cardinality();
  public List<ClassMetrics> perClass = new ArrayList<>();
  public List<CurvePoint> microPrCurve = new ArrayList<>();
  public Baseline baseline;

  /** Metrics of one class. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class ClassMetrics implements Serializable {
    private static final long serialVersionUID = 1L;
    public int index;
    public String label;
    public long support;
    public long tp;
    public long fp;
    public long fn;
    public long tn;
    public double precision;
    public double recall;
    public double f1;
    public Double auc;
    public Double aucErrorBound;
    public String aucUndefinedReason;
    public Double ap;
    public String apUndefinedReason;
    public double tunedThreshold;
    public String thresholdSource;
    public double tunedPrecision;
    public double tunedRecall;
    public double tunedF1;
  }

  /** Averages over classes. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Averages implements Serializable {
    private static final long serialVersionUID = 1L;
    public double precision;
    public double recall;
    public double f1;
    public double tunedF1;
    public Double auc;
    public Double ap;
    /** Classes whose AUC entered the average. */
    public int aucClasses;
    public int apClasses;
  }

  /** Example-based averages. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Samples implements Serializable {
    private static final long serialVersionUID = 1L;
    public double precision;
    public double recall;
    public double f1;
  }

  /** Label-cardinality statistics. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Cardinality implements Serializable {
    private static final long serialVersionUID = 1L;
    public double meanTrueLabels;
    public double meanPredictedLabels;
    public double labelDensity;
    public long examplesWithoutLabels;
    public int classesWithoutPositives;
    public int classesWithoutAuc;
  }

  /** A point of a precision-recall curve. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class CurvePoint implements Serializable {
    private static final long serialVersionUID = 1L;
    public double threshold;
    public double precision;
    public double recall;
  }

  /** Averages of a reference predictor scored on the same examples. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Baseline implements Serializable {
    private static final long serialVersionUID = 1L;
    public String description;
    public Averages macro;
    public Averages micro;
  }

  /**
   * A copy of this report with label names on the per-class rows (class {@code i} gets
   * {@code names.get(i)}, or its index where {@code names} is shorter). This report is left as it is,
   * so a Beam element is never mutated.
   */
  public MultiLabelReport withLabels(List<String> names) {
    MultiLabelReport copy = fromJson(toJson());
    for (ClassMetrics m : copy.perClass) {
      m.label = m.index < names.size() ? names.get(m.index) : Integer.toString(m.index);
    }
    return copy;
  }

  /**
   * A copy of this report with {@code other}'s macro and micro averages as its {@code baseline}
   * (described by {@code description}); neither report is changed.
   */
  public MultiLabelReport withBaseline(String description, MultiLabelReport other) {
    MultiLabelReport copy = fromJson(toJson());
    MultiLabelReport b = fromJson(other.toJson());
    copy.baseline = new Baseline();
    copy.baseline.description = description;
    copy.baseline.macro = b.macro;
    copy.baseline.micro = b.micro;
    return copy;
  }

  /** The per-class thresholds of this report ({@code tunedThreshold}), for {@code thresholds.json}. */
  public Thresholds thresholds() {
    Thresholds t = new Thresholds();
    t.fallback = threshold;
    for (ClassMetrics m : perClass) {
      t.labels.add(m.label == null ? Integer.toString(m.index) : m.label);
      t.thresholds.add(m.tunedThreshold);
      t.sources.add(m.thresholdSource);
    }
    return t;
  }

  /** This value as indented JSON (the file's text). */
  public String toJson() {
    return Json.write(this);
  }

  /** Parses the file's text; the error names the file kind. */
  public static MultiLabelReport fromJson(String json) {
    return Json.read(json, MultiLabelReport.class, "metrics report");
  }

  /** {@code per_class.csv}: a header and one row per class. */
  public String toCsv() {
    StringBuilder sb = new StringBuilder(
        "index,label,support,tp,fp,fn,tn,precision,recall,f1,auc,auc_error_bound,ap,tuned_threshold,tuned_precision,tuned_recall,tuned_f1\n");
    for (ClassMetrics m : perClass) {
      String label = m.label == null ? "" : m.label;
      if (label.contains(",") || label.contains("\"")) {
        label = "\"" + label.replace("\"", "\"\"") + "\"";
      }
      sb.append(String.format(Locale.ROOT, "%d,%s,%d,%d,%d,%d,%d,%.6f,%.6f,%.6f,%s,%s,%s,%.6g,%.6f,%.6f,%.6f%n",
          m.index, label, m.support, m.tp, m.fp, m.fn, m.tn, m.precision, m.recall, m.f1, opt(m.auc),
          opt(m.aucErrorBound), opt(m.ap), m.tunedThreshold, m.tunedPrecision, m.tunedRecall, m.tunedF1));
    }
    return sb.toString();
  }

  private static String opt(Double v) {
    return v == null ? "" : String.format(Locale.ROOT, "%.6f", v);
  }

  @Override
  public boolean equals(Object o) {
    return Json.sameJson(this, o);
  }

  @Override
  public int hashCode() {
    return toJson().hashCode();
  }
}
