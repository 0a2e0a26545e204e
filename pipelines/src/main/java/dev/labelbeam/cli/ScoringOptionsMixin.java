package dev.labelbeam.cli;

import dev.labelbeam.pipelines.ScoringOptions;
import dev.labelbeam.trainer.DeviceChoice;
import picocli.CommandLine.Option;

/** The command-line face of {@link ScoringOptions}, shared by {@code evaluate} and {@code predict}. */
public final class ScoringOptionsMixin {
  private static final ScoringOptions D = ScoringOptions.defaults();

  @Option(names = "--batch-size", description = "Records per forward pass when scoring.")
  int batchSize = D.batchSize();

  @Option(names = "--device", description = "${COMPLETION-CANDIDATES}: auto is CUDA when available.")
  DeviceChoice device = D.device();

  /** The options given, checked. */
  public ScoringOptions options() {
    return new ScoringOptions(batchSize, device, false);
  }
}
