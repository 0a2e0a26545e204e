package dev.labelbeam.transforms.evaluation;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The evaluation's result, the content of {@code metrics.json}:
 *
 * <ul>
 *   <li>{@code perClass}: support, TP/FP/FN/TN at {@code threshold} (score ≥ threshold predicts
 *       positive), precision, recall, F1 and ROC AUC. AUC is {@code null}, with
 *       {@code aucUndefinedReason}, for a class without positives or without negatives.
 *   <li>{@code macro}: unweighted means over classes. Precision, recall and F1 average all classes
 *       (as scikit-learn's {@code average="macro"}); AUC averages only the classes where it is
 *       defined ({@code aucClasses} of them).
 *   <li>{@code micro}: precision, recall and F1 of the summed confusion counts; AUC of all
 *       (example, class) pairs pooled.
 * </ul>
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonIgnoreProperties(ignoreUnknown = true)
public final class MultiLabelReport implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public long numExamples;
  public int numClasses;
  public double threshold;
  public Averages macro = new Averages();
  public Averages micro = new Averages();
  public List<ClassMetrics> perClass = new ArrayList<>();
  /** Optional: the same averages for a reference predictor, for comparison; null when absent. */
  public Baseline baseline;

  /** Averages of a reference predictor scored on the same examples. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Baseline implements Serializable {
    private static final long serialVersionUID = 1L;
    public String description;
    public Averages macro;
    public Averages micro;
  }

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
    public String aucUndefinedReason;
  }

  /** Averages over classes. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Averages implements Serializable {
    private static final long serialVersionUID = 1L;
    public double precision;
    public double recall;
    public double f1;
    public Double auc;
    /** Classes whose AUC entered the average (macro only). */
    public int aucClasses;
  }

  /** Puts label names on the per-class rows. */
  public MultiLabelReport withLabels(List<String> names) {
    for (ClassMetrics m : perClass) {
      m.label = m.index < names.size() ? names.get(m.index) : Integer.toString(m.index);
    }
    return this;
  }

  public String toJson() {
    try {
      return MAPPER.writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static MultiLabelReport fromJson(String json) {
    try {
      return MAPPER.readValue(json, MultiLabelReport.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a metrics report: " + e.getMessage(), e);
    }
  }

  /** {@code per_class.csv}: a header and one row per class. */
  public String toCsv() {
    StringBuilder sb = new StringBuilder("index,label,support,tp,fp,fn,tn,precision,recall,f1,auc\n");
    for (ClassMetrics m : perClass) {
      String label = m.label == null ? "" : m.label;
      if (label.contains(",") || label.contains("\"")) {
        label = "\"" + label.replace("\"", "\"\"") + "\"";
      }
      sb.append(String.format(Locale.ROOT, "%d,%s,%d,%d,%d,%d,%d,%.6f,%.6f,%.6f,%s%n", m.index, label, m.support,
          m.tp, m.fp, m.fn, m.tn, m.precision, m.recall, m.f1, m.auc == null ? "" : String.format(Locale.ROOT, "%.6f", m.auc)));
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MultiLabelReport && toJson().equals(((MultiLabelReport) o).toJson());
  }

  @Override
  public int hashCode() {
    return toJson().hashCode();
  }
}
