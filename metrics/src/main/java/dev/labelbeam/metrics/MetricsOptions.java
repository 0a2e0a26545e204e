package dev.labelbeam.metrics;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * How multi-label metrics are computed: the one place that holds the evaluation's defaults and their
 * validation, shared by the Beam transform ({@code EvaluateMultiLabel}), the trainer's per-epoch
 * validation, the {@code evaluate} command and anyone computing metrics without Beam:
 *
 * <pre>{@code
 * MetricsOptions o = MetricsOptions.defaults();            // binned, 1,024 bins, threshold 0.5
 * MetricsAccumulator acc = o.newAccumulator(numClasses);
 * for (ScoredExample e : myScores) acc.add(e);             // scores are probabilities in [0, 1]
 * MultiLabelReport report = o.report(acc);                 // metrics.json: report.toJson()
 * }</pre>
 *
 * @param mode {@link Mode#BINNED} (bounded memory) or {@link Mode#EXACT} (every score kept)
 * @param bins logit bins per class in binned mode: even, in [2, 1048576]; ignored in exact mode
 * @param threshold fixed decision threshold on the probability, in [0, 1]: a score at or above it
 *     predicts the label
 * @param minSupportForTuning classes with fewer positives keep {@code threshold} instead of a tuned one;
 *     at least 1
 * @param classThresholds per-class thresholds given from elsewhere (a {@code thresholds.json} tuned on
 *     another split), replacing {@code threshold} class by class; null for {@code threshold} everywhere
 * @param thresholdsFrom where {@code classThresholds} came from (shown in {@code metrics.json}); null with them
 */
public record MetricsOptions(Mode mode, int bins, double threshold, int minSupportForTuning,
    List<Double> classThresholds, String thresholdsFrom) implements Serializable {
  /** Default bins per class in binned mode. */
  public static final int DEFAULT_BINS = LogitBins.DEFAULT_BINS;
  /** Default fixed decision threshold. */
  public static final double DEFAULT_THRESHOLD = 0.5;
  /** Default least number of positives for a tuned threshold. */
  public static final int DEFAULT_MIN_SUPPORT_FOR_TUNING = MetricsReports.DEFAULT_MIN_SUPPORT_FOR_TUNING;

  /** How the scores of each class are kept. */
  public enum Mode {
    /**
     * Per class, histograms of the positives' and negatives' scores over {@link LogitBins}: memory
     * O(classes × bins) whatever the number of examples; AUC within a reported bound.
     */
    BINNED,
    /** Every score kept, every metric exact; memory O(examples × classes). */
    EXACT;

    /** The name used in {@code metrics.json} and on the command line. */
    public String jsonName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The lowercase name, as the command line shows it. */
    @Override
    public String toString() {
      return jsonName();
    }
  }

  /** Validates every field; the message names the option, the value and what is allowed. */
  public MetricsOptions {
    Objects.requireNonNull(mode, "mode");
    if (bins < 2 || bins % 2 != 0 || bins > (1 << 20)) {
      throw new IllegalArgumentException("bins must be even and in [2, 1048576], was " + bins);
    }
    if (!(threshold >= 0 && threshold <= 1)) {
      throw new IllegalArgumentException("threshold must be in [0, 1], was " + threshold);
    }
    if (minSupportForTuning < 1) {
      throw new IllegalArgumentException("minSupportForTuning must be >= 1, was " + minSupportForTuning);
    }
    if (classThresholds != null) {
      classThresholds = List.copyOf(classThresholds);
      for (Double t : classThresholds) {
        if (!(t >= 0 && t <= 1)) {
          throw new IllegalArgumentException("a given class threshold must be in [0, 1], was " + t);
        }
      }
    }
  }

  /** The options of the four settings, with {@code threshold} for every class. */
  public MetricsOptions(Mode mode, int bins, double threshold, int minSupportForTuning) {
    this(mode, bins, threshold, minSupportForTuning, null, null);
  }

  /** The binned mode's bins: {@link #bins} uniform in logit space over the default range. */
  public LogitBins logitBins() {
    return new LogitBins(bins, LogitBins.DEFAULT_RANGE);
  }

  /** Binned, {@value #DEFAULT_BINS} bins, threshold 0.5, tuning from 10 positives. */
  public static MetricsOptions defaults() {
    return new MetricsOptions(Mode.BINNED, DEFAULT_BINS, DEFAULT_THRESHOLD, DEFAULT_MIN_SUPPORT_FOR_TUNING);
  }

  /** These options in the given mode. */
  public MetricsOptions withMode(Mode m) {
    return new MetricsOptions(m, bins, threshold, minSupportForTuning, classThresholds, thresholdsFrom);
  }

  /** These options with {@code n} bins per class (binned mode only). */
  public MetricsOptions withBins(int n) {
    if (mode == Mode.EXACT) {
      throw new IllegalArgumentException("bins apply to binned mode, not exact mode");
    }
    return new MetricsOptions(mode, n, threshold, minSupportForTuning, classThresholds, thresholdsFrom);
  }

  /** These options with another fixed decision threshold. */
  public MetricsOptions withThreshold(double t) {
    return new MetricsOptions(mode, bins, t, minSupportForTuning, classThresholds, thresholdsFrom);
  }

  /** These options with another least support for tuned thresholds. */
  public MetricsOptions withMinSupportForTuning(int n) {
    return new MetricsOptions(mode, bins, threshold, n, classThresholds, thresholdsFrom);
  }

  /**
   * These options applying one threshold per class, e.g. the tuned thresholds of an evaluation of
   * another split (honest figures: thresholds tuned and measured on one split overstate F1).
   *
   * @param from where they came from, for the report
   */
  public MetricsOptions withClassThresholds(List<Double> perClass, String from) {
    return new MetricsOptions(mode, bins, threshold, minSupportForTuning, perClass, from);
  }

  /**
   * These options applying a {@code thresholds.json}'s per-class thresholds (as an evaluation of another
   * split wrote them) to data of these {@code labels}, which must be the file's labels in the same order.
   *
   * @param from where the file is, for the report
   * @throws IllegalArgumentException when the file names other labels
   */
  public MetricsOptions withClassThresholds(Thresholds t, List<String> labels, String from) {
    return withClassThresholds(java.util.Arrays.stream(t.forLabels(labels)).boxed().toList(), from);
  }

  /** The class thresholds as an array, checked against {@code numClasses}; null when none are given. */
  public double[] classThresholdArray(int numClasses) {
    if (classThresholds == null) {
      return null;
    }
    if (classThresholds.size() != numClasses) {
      throw new IllegalArgumentException("the given thresholds are for " + classThresholds.size() + " classes, the "
          + "data has " + numClasses);
    }
    return classThresholds.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** An empty accumulator for {@code numClasses} classes. */
  public MetricsAccumulator newAccumulator(int numClasses) {
    if (numClasses < 1) {
      throw new IllegalArgumentException("numClasses must be >= 1, was " + numClasses);
    }
    MetricsAccumulator acc = mode == Mode.EXACT
        ? MetricsAccumulator.exact(numClasses, threshold)
        : MetricsAccumulator.binned(numClasses, threshold, logitBins());
    return acc.withClassThresholds(classThresholdArray(numClasses));
  }

  /**
   * The report of an accumulator. In exact mode the kept examples are first put in id order, so that
   * the result does not depend on the order in which accumulators were merged.
   */
  public MultiLabelReport report(MetricsAccumulator acc) {
    if (acc.kept != null) {
      acc.kept.sort((a, b) -> a.id.compareTo(b.id));
    }
    return MetricsReports.report(acc, minSupportForTuning).withThresholdsFrom(thresholdsFrom);
  }

  /** The report of no examples at all: the settings, no classes. */
  public MultiLabelReport emptyReport() {
    return new MultiLabelReport(mode.jsonName(), mode == Mode.EXACT ? null : bins, 0, 0, threshold, thresholdsFrom,
        minSupportForTuning, null, null, null, null, null, List.of(), List.of(), null, null, null);
  }
}
