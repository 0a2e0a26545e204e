package dev.labelbeam.metrics;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.labelbeam.shard.Json;
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
 *       {@code threshold}: the fixed decision threshold (a score at or above it predicts the label);
 *       {@code thresholdsFrom}: where per-class thresholds came from when they were given (then each
 *       class's {@code threshold} is its own), null when {@code threshold} applies to every class.
 *   <li>{@code perClass[]}: {@code index}, {@code label}, {@code support} (positives), {@code threshold}
 *       (the decision threshold of this class's counts), {@code tp fp fn
 *       tn}, {@code predictedPositives} (tp + fp), {@code accuracy} ((tp + tn) / examples), {@code precision
 *       recall f1} at {@code threshold} (exact in both modes); {@code auc} (ROC)
 *       and {@code ap} (average precision), tied scores counted as scikit-learn does; in binned mode
 *       {@code aucErrorBound} bounds {@code |auc - exact auc|}. {@code auc} is {@code null} with
 *       {@code aucUndefinedReason} for a class without positives or without negatives; {@code ap} the
 *       same, with {@code apUndefinedReason} (a class whose every example is positive would get AP 1
 *       from any scores, so it is left out of mAP as of macro-AUC). {@code tunedThreshold} maximizes the class's F1 on
 *       this data (measured on the same data, its F1 is optimistic: tune on one split, measure on another)
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
 *   <li>{@code scorePrecision}: {@code float64} when exact mode compared float64 scores as a
 *       predictions file gave them, else {@code float32} (a model's own scores, or binned mode).
 *   <li>{@code exampleSet}: which examples were evaluated, whatever their order or the runner: the sum
 *       modulo 2^64 of the first 8 bytes of each id's SHA-256, in hex ({@link ExampleSet}); two
 *       evaluations of the same count but other examples (another split or dataset) differ here, and
 *       {@code compare} refuses them. Null in reports written before it was recorded.
 * </ul>
 *
 * Where a rate's denominator is zero it is 0. Immutable (a Beam element may be shared): the
 * {@code with...} methods return changed copies.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonIgnoreProperties(ignoreUnknown = true)
public record MultiLabelReport(
    String mode,
    Integer bins,
    long numExamples,
    int numClasses,
    double threshold,
    String thresholdsFrom,
    int minSupportForTuning,
    Averages macro,
    Averages weighted,
    Averages micro,
    Samples samples,
    Cardinality cardinality,
    List<ClassMetrics> perClass,
    List<CurvePoint> microPrCurve,
    Baseline baseline,
    String scorePrecision,
    String exampleSet) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Lists are copied unmodifiable (absent ones read as empty), missing groups read as zeros. */
  public MultiLabelReport {
    macro = macro == null ? Averages.NONE : macro;
    weighted = weighted == null ? Averages.NONE : weighted;
    micro = micro == null ? Averages.NONE : micro;
    samples = samples == null ? new Samples(0, 0, 0) : samples;
    cardinality = cardinality == null ? new Cardinality(0, 0, 0, 0, 0, 0) : cardinality;
    perClass = perClass == null ? List.of() : List.copyOf(perClass);
    microPrCurve = microPrCurve == null ? List.of() : List.copyOf(microPrCurve);
    scorePrecision = scorePrecision == null ? "float32" : scorePrecision;
  }

  /**
   * Metrics of one class; {@code index} is its position in the vocabulary, {@code label} its name
   * (null until {@link MultiLabelReport#withLabels} names it).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ClassMetrics(
      int index,
      String label,
      long support,
      double threshold,
      long tp,
      long fp,
      long fn,
      long tn,
      long predictedPositives,
      double accuracy,
      double precision,
      double recall,
      double f1,
      Double auc,
      Double aucErrorBound,
      String aucUndefinedReason,
      Double ap,
      String apUndefinedReason,
      double tunedThreshold,
      String thresholdSource,
      double tunedPrecision,
      double tunedRecall,
      double tunedF1) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The same row with another label name. */
    public ClassMetrics withLabel(String name) {
      return new ClassMetrics(index, name, support, threshold, tp, fp, fn, tn, predictedPositives, accuracy, precision,
          recall, f1,
          auc, aucErrorBound,
          aucUndefinedReason, ap, apUndefinedReason, tunedThreshold, thresholdSource, tunedPrecision, tunedRecall,
          tunedF1);
    }

    /** The label name, or the index as text for an unnamed class. */
    public String name() {
      return label == null ? Integer.toString(index) : label;
    }
  }

  /**
   * Averages over classes; {@code auc} and {@code ap} are null where no class defines them, and
   * {@code aucClasses}/{@code apClasses} count the classes that entered them.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Averages(double precision, double recall, double f1, double tunedF1, Double auc, Double ap,
      int aucClasses, int apClasses) implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The averages of no classes. */
    public static final Averages NONE = new Averages(0, 0, 0, 0, null, null, 0, 0);
  }

  /** Example-based averages. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Samples(double precision, double recall, double f1) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** Label-cardinality statistics. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Cardinality(double meanTrueLabels, double meanPredictedLabels, double labelDensity,
      long examplesWithoutLabels, int classesWithoutPositives, int classesWithoutAuc) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** A point of a precision-recall curve. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record CurvePoint(double threshold, double precision, double recall) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** Averages of a reference predictor scored on the same examples. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Baseline(String description, Averages macro, Averages micro) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /**
   * A copy of this report with label names on the per-class rows (class {@code i} gets
   * {@code names.get(i)}, or its index where {@code names} is shorter).
   */
  public MultiLabelReport withLabels(List<String> names) {
    List<ClassMetrics> named = new ArrayList<>(perClass.size());
    for (ClassMetrics m : perClass) {
      named.add(m.withLabel(m.index < names.size() ? names.get(m.index) : Integer.toString(m.index)));
    }
    return new MultiLabelReport(mode, bins, numExamples, numClasses, threshold, thresholdsFrom, minSupportForTuning,
        macro, weighted, micro, samples, cardinality, named, microPrCurve, baseline, scorePrecision, exampleSet);
  }

  /**
   * A copy of this report with {@code other}'s macro and micro averages as its {@code baseline}
   * (described by {@code description}).
   */
  public MultiLabelReport withBaseline(String description, MultiLabelReport other) {
    return new MultiLabelReport(mode, bins, numExamples, numClasses, threshold, thresholdsFrom, minSupportForTuning,
        macro, weighted, micro, samples, cardinality, perClass, microPrCurve,
        new Baseline(description, other.macro, other.micro), scorePrecision, exampleSet);
  }

  /** A copy recording which examples were evaluated ({@link ExampleSet#hex}). */
  public MultiLabelReport withExampleSet(String set) {
    return new MultiLabelReport(mode, bins, numExamples, numClasses, threshold, thresholdsFrom, minSupportForTuning,
        macro, weighted, micro, samples, cardinality, perClass, microPrCurve, baseline, scorePrecision, set);
  }

  /** A copy saying where the per-class decision thresholds came from (null: {@code threshold} for every class). */
  public MultiLabelReport withThresholdsFrom(String from) {
    return new MultiLabelReport(mode, bins, numExamples, numClasses, threshold, from, minSupportForTuning, macro,
        weighted, micro, samples, cardinality, perClass, microPrCurve, baseline, scorePrecision, exampleSet);
  }


  /** The per-class thresholds of this report ({@code tunedThreshold}), for {@code thresholds.json}. */
  public Thresholds thresholds() {
    Thresholds t = new Thresholds();
    t.fallback = threshold;
    for (ClassMetrics m : perClass) {
      t.labels.add(m.name());
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
        "index,label,support,tp,fp,fn,tn,predicted_positives,accuracy,precision,recall,f1,auc,auc_error_bound,ap,"
            + "tuned_threshold,tuned_precision,tuned_recall,tuned_f1\n");
    for (ClassMetrics m : perClass) {
      String label = m.label == null ? "" : m.label;
      if (label.contains(",") || label.contains("\"")) {
        label = "\"" + label.replace("\"", "\"\"") + "\"";
      }
      sb.append(String.format(Locale.ROOT, "%d,%s,%d,%d,%d,%d,%d,%d,%.6f,%.6f,%.6f,%.6f,%s,%s,%s,%.6g,%.6f,%.6f,%.6f%n",
          m.index, label, m.support, m.tp, m.fp, m.fn, m.tn, m.predictedPositives, m.accuracy, m.precision, m.recall,
          m.f1, opt(m.auc),
          opt(m.aucErrorBound), opt(m.ap), m.tunedThreshold, m.tunedPrecision, m.tunedRecall, m.tunedF1));
    }
    return sb.toString();
  }

  private static String opt(Double v) {
    return v == null ? "" : String.format(Locale.ROOT, "%.6f", v);
  }

}
