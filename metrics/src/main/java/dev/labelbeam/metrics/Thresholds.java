package dev.labelbeam.metrics;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.labelbeam.shard.Json;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code thresholds.json}: one decision threshold per class (a score at or above it predicts the
 * label), tuned on a validation split to maximize each class's F1, with {@code fallback} used for
 * classes too rare to tune. {@code predict} reads it.
 *
 * <pre>{"fallback": 0.5, "labels": ["cat", ...], "thresholds": [0.31, ...], "sources": ["tuned", ...]}</pre>
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public final class Thresholds implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final String FILE_NAME = "thresholds.json";

  public double fallback = 0.5;
  public List<String> labels = new ArrayList<>();
  public List<Double> thresholds = new ArrayList<>();
  public List<String> sources = new ArrayList<>();

  /** The same threshold for every class. */
  public static Thresholds uniform(List<String> labels, double t) {
    Thresholds out = new Thresholds();
    out.fallback = t;
    for (String l : labels) {
      out.labels.add(l);
      out.thresholds.add(t);
      out.sources.add("uniform");
    }
    return out;
  }

  /** The thresholds as an array in class order, checked against the model's labels. */
  public double[] forLabels(List<String> modelLabels) {
    if (!labels.equals(modelLabels)) {
      throw new IllegalArgumentException("thresholds.json names " + labels.size()
          + " labels that differ from the model's " + modelLabels.size() + " labels");
    }
    double[] out = new double[thresholds.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = thresholds.get(i);
    }
    return out;
  }

  /** This value as indented JSON (the file's text). */
  public String toJson() {
    return Json.write(this);
  }

  /** Parses the file's text; the error names the file kind. */
  public static Thresholds fromJson(String json) {
    return Json.read(json, Thresholds.class, "thresholds file");
  }
}
