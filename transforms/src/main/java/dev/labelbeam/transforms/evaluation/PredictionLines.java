package dev.labelbeam.transforms.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.shard.LabelBits;
import dev.labelbeam.transforms.csv.CsvLine;
import dev.labelbeam.transforms.errors.Reason;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses one line of a predictions file made by any model into a {@link ScoredExample}, without Beam:
 *
 * <ul>
 *   <li>JSON Lines: {@code {"id": "a.jpg", "labels": ["cat"], "scores": [0.91, 0.02, ...]}}, the scores
 *       in the order of {@code labels.txt}, probabilities in [0, 1]; {@code "labels"} (the true labels)
 *       is required ({@code []} for none), {@code "predicted"} (as {@code predict --full-scores} writes)
 *       is allowed and ignored, any other key is refused (a misspelt {@code "label"} would make every
 *       example a negative);
 *   <li>CSV (RFC 4180, read by {@link CsvLine}): a header {@code id,labels,<class 0>,<class 1>,...} whose
 *       class columns are {@code labels.txt} in order, then {@code a.jpg,cat|dog,0.91,0.02,...}.
 * </ul>
 *
 * A line that cannot be used fails with a {@link Problem} naming its {@link Reason}: it does not parse
 * ({@code bad_prediction_line}, also for a score that is not a finite number, a missing or unknown key),
 * has another number of scores than classes ({@code wrong_score_count}), a score outside [0, 1]
 * ({@code score_out_of_range}: logits or margins, whose thresholds mean nothing at 0.5), or names a
 * label outside {@code labels.txt} ({@code unknown_label}). Scores are kept as given (float64) and
 * rounded to float32 beside.
 */
public final class PredictionLines implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A line that cannot be used, with the reason a dead letter records. */
  public static final class Problem extends Exception {
    private static final long serialVersionUID = 1L;
    private final Reason reason;
    private final String id;

    Problem(Reason reason, String id, String message) {
      super(message);
      this.reason = reason;
      this.id = id;
    }

    public Reason reason() {
      return reason;
    }

    /** The line's id when it was read before the problem, else "". */
    public String id() {
      return id;
    }
  }

  /** The keys a JSON Lines predictions line may have. */
  static final java.util.Set<String> JSON_KEYS = java.util.Set.of("id", "labels", "scores", "predicted");

  private final List<String> labels;
  private final boolean csv;
  private transient Map<String, Integer> index;

  private PredictionLines(List<String> labels, boolean csv) {
    this.labels = List.copyOf(labels);
    this.csv = csv;
  }

  /** JSON Lines predictions for these classes (labels.txt order). */
  public static PredictionLines jsonl(List<String> labels) {
    return new PredictionLines(labels, false);
  }

  /** CSV predictions for these classes (labels.txt order). */
  public static PredictionLines csv(List<String> labels) {
    return new PredictionLines(labels, true);
  }

  /** The format a file's name implies: {@code .csv} (optionally compressed) is CSV, the rest JSON Lines. */
  public static PredictionLines forFile(String file, List<String> labels) {
    String n = file.toLowerCase(java.util.Locale.ROOT).replaceAll("\\.(gz|bz2|zst|deflate)$", "");
    return n.endsWith(".csv") ? csv(labels) : jsonl(labels);
  }

  /** Whether this reads CSV. */
  public boolean isCsv() {
    return csv;
  }

  /**
   * Whether {@code line} is a CSV header (starts with {@code id,labels}); a header whose class columns
   * are not the labels, in order, fails the run: every score would be read as another class's.
   */
  public boolean isHeader(String line) {
    if (!csv) {
      return false;
    }
    List<String> columns;
    try {
      columns = CsvLine.fields(line);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (columns.size() < 2 || !columns.get(0).strip().equals("id") || !columns.get(1).strip().equals("labels")) {
      return false;
    }
    if (!columns.subList(2, columns.size()).equals(labels)) {
      throw new IllegalArgumentException("the predictions' CSV header names " + (columns.size() - 2) + " classes that "
          + "are not labels.txt's " + labels.size() + " labels in order; the score columns must follow labels.txt");
    }
    return true;
  }

  /** Whether the line carries nothing (blank). */
  public boolean isBlank(String line) {
    return clean(line).isEmpty();
  }

  /** The scored example of one line. */
  public ScoredExample parse(String line) throws Problem {
    String t = clean(line);
    return csv ? parseCsv(t) : parseJson(t);
  }

  private ScoredExample parseJson(String t) throws Problem {
    JsonNode n;
    try {
      n = JSON.readTree(t);
    } catch (IOException e) {
      throw new Problem(Reason.BAD_PREDICTION_LINE, "", "not JSON: " + abbreviate(t));
    }
    if (n == null || !n.isObject() || !n.path("id").isTextual() || !n.path("scores").isArray()) {
      throw new Problem(Reason.BAD_PREDICTION_LINE, "", "expected {\"id\", \"labels\", \"scores\"}: " + abbreviate(t));
    }
    String id = n.get("id").asText();
    for (java.util.Iterator<String> keys = n.fieldNames(); keys.hasNext(); ) {
      String k = keys.next();
      if (!JSON_KEYS.contains(k)) {
        throw new Problem(Reason.BAD_PREDICTION_LINE, id, "unknown key \"" + k + "\" (a predictions line has \"id\", "
            + "\"labels\" (the true labels), \"scores\" and optionally \"predicted\"): " + abbreviate(t));
      }
    }
    List<String> names = new ArrayList<>();
    JsonNode ls = n.path("labels");
    if (ls.isMissingNode()) {
      throw new Problem(Reason.BAD_PREDICTION_LINE, id, "no \"labels\" key: the true labels are needed to evaluate "
          + "(\"labels\": [] for an example without any): " + abbreviate(t));
    }
    if (!ls.isNull()) {
      if (!ls.isArray()) {
        throw new Problem(Reason.BAD_PREDICTION_LINE, id, "\"labels\" must be an array of strings: " + abbreviate(t));
      }
      for (JsonNode l : ls) {
        names.add(l.asText());
      }
    }
    JsonNode sc = n.get("scores");
    double[] scores = new double[sc.size()];
    for (int i = 0; i < scores.length; i++) {
      if (!sc.get(i).isNumber()) {
        throw new Problem(Reason.BAD_PREDICTION_LINE, id, "score " + i + " is not a number: " + abbreviate(t));
      }
      scores[i] = sc.get(i).asDouble();
    }
    return example(id, names, scores);
  }

  private ScoredExample parseCsv(String t) throws Problem {
    List<String> f;
    try {
      f = CsvLine.fields(t);
    } catch (IllegalArgumentException e) {
      throw new Problem(Reason.BAD_PREDICTION_LINE, "", e.getMessage());
    }
    if (f.size() < 2) {
      throw new Problem(Reason.BAD_PREDICTION_LINE, "", "expected id,labels,scores...: " + abbreviate(t));
    }
    String id = f.get(0).strip();
    List<String> names = new ArrayList<>();
    for (String l : f.get(1).split("\\|")) {
      if (!l.isBlank()) {
        names.add(l.strip());
      }
    }
    double[] scores = new double[f.size() - 2];
    for (int i = 0; i < scores.length; i++) {
      try {
        scores[i] = Double.parseDouble(f.get(i + 2).strip());
      } catch (NumberFormatException e) {
        throw new Problem(Reason.BAD_PREDICTION_LINE, id, "score " + i + " is not a number: '" + f.get(i + 2) + "'");
      }
    }
    return example(id, names, scores);
  }

  /** The example, its scores kept in float64 as the file gives them (and rounded to float32 beside). */
  private ScoredExample example(String id, List<String> names, double[] scores) throws Problem {
    if (id.isBlank()) {
      throw new Problem(Reason.BAD_PREDICTION_LINE, "", "empty id");
    }
    if (scores.length != labels.size()) {
      throw new Problem(Reason.WRONG_SCORE_COUNT, id, scores.length + " scores for " + labels.size() + " labels");
    }
    for (int i = 0; i < scores.length; i++) {
      if (!Double.isFinite(scores[i]) || !Float.isFinite((float) scores[i])) {
        throw new Problem(Reason.BAD_PREDICTION_LINE, id, "score " + i + " is " + scores[i]);
      }
      if (scores[i] < 0 || scores[i] > 1) {
        throw new Problem(Reason.SCORE_OUT_OF_RANGE, id, "score " + i + " (" + labels.get(i) + ") is " + scores[i]
            + ", outside [0, 1]: scores must be probabilities (apply a sigmoid to logits), else thresholds such "
            + "as 0.5 mean nothing");
      }
    }
    int[] idx = new int[names.size()];
    for (int i = 0; i < idx.length; i++) {
      Integer c = index().get(names.get(i));
      if (c == null) {
        throw new Problem(Reason.UNKNOWN_LABEL, id, "label '" + names.get(i) + "' is not in labels.txt");
      }
      idx[i] = c;
    }
    return ScoredExample.ofDoubles(id, LabelBits.pack(idx, labels.size()), scores);
  }

  private Map<String, Integer> index() {
    if (index == null) {
      Map<String, Integer> m = new HashMap<>();
      for (int i = 0; i < labels.size(); i++) {
        m.put(labels.get(i), i);
      }
      index = m;
    }
    return index;
  }

  /**
   * One JSON Lines line of this format for {@code e}: {@code {"id", "labels": [true labels], "scores":
   * [...]}} in {@code labels} order, each score at the precision it was given in (float64 when it was).
   */
  public static String toJsonLine(ScoredExample e, List<String> labels) {
    com.fasterxml.jackson.databind.node.ObjectNode n = JSON.createObjectNode();
    n.put("id", e.id);
    com.fasterxml.jackson.databind.node.ArrayNode truth = n.putArray("labels");
    for (int c : LabelBits.unpack(e.labelBits, labels.size())) {
      truth.add(labels.get(c));
    }
    com.fasterxml.jackson.databind.node.ArrayNode scores = n.putArray("scores");
    for (int c = 0; c < e.scores.length; c++) {
      if (e.scores64 != null) {
        scores.add(e.scores64[c]);
      } else {
        scores.add(e.scores[c]);
      }
    }
    return n.toString();
  }

  private static String clean(String line) {
    return (line.startsWith("\uFEFF") ? line.substring(1) : line).strip();
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
