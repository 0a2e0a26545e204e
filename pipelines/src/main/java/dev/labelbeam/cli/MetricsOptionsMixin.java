package dev.labelbeam.cli;

import dev.labelbeam.metrics.MetricsOptions;
import picocli.CommandLine.Option;

/** The command-line face of {@link MetricsOptions}: mode, bins, threshold, tuning support. */
public final class MetricsOptionsMixin {
  private static final MetricsOptions D = MetricsOptions.defaults();

  @Option(names = "--threshold", description = "A score at or above it predicts the label.")
  double threshold = D.threshold();

  @Option(names = "--mode", description = "binned: per-class score histograms, memory "
      + "O(classes x bins) whatever the number of examples, AUC within a reported bound; exact: every score kept.")
  MetricsOptions.Mode mode = D.mode();

  @Option(names = "--bins", description = "Logit bins per class in binned mode (even).")
  int bins = D.bins();

  @Option(names = "--min-support-for-tuning", description = "Classes with fewer positives keep --threshold instead of "
      + "a threshold tuned for F1.")
  int minSupport = D.minSupportForTuning();

  /** The options given, checked. */
  public MetricsOptions options() {
    return new MetricsOptions(mode, bins, threshold, minSupport);
  }
}
