package dev.labelbeam.cli;

import dev.labelbeam.trainer.DeviceChoice;
import dev.labelbeam.pipelines.EvaluatePipeline;
import dev.labelbeam.pipelines.SummaryTable;
import dev.labelbeam.metrics.MultiLabelReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code labelbeam evaluate}: score a split with a checkpoint and report per-class metrics. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Score a split's records with a trained checkpoint in a Beam pipeline and compute per-class "
        + "precision, recall, F1 (at --threshold) and ROC AUC, macro and micro averages, and the same for a "
        + "baseline predicting each label's training frequency; AP and mAP; micro, macro, weighted and samples "
        + "averages; per-class thresholds tuned for F1. Writes metrics.json, per_class.csv, thresholds.json and a "
        + "self-contained report.html.",
    footer = BeamRunnerOptions.FOOTER)
public final class EvaluateCommand implements Callable<Integer> {
  @Option(names = "--shards", required = true, description = "Folder of a preprocess run.")
  Path shards;

  @Option(names = "--model", required = true, description = "Folder of a checkpoint (model.pt, model.json).")
  Path model;

  @Option(names = "--output", description = "Folder for metrics.json and per_class.csv (default: the shards folder).")
  Path output;

  @Option(names = "--split", defaultValue = "val", description = "Split to evaluate: train, val or test.")
  String split;

  @Option(names = "--threshold", defaultValue = "0.5", description = "A score at or above it predicts the label.")
  double threshold;

  @Option(names = "--batch-size", defaultValue = "64", description = "Records per forward pass when scoring.")
  int batchSize;

  @Option(names = "--device", defaultValue = "auto", description = "${COMPLETION-CANDIDATES}: auto is CUDA when available.")
  DeviceChoice device;

  @Option(names = "--mode", defaultValue = "binned", description = "binned: per-class score histograms, memory "
      + "O(classes x bins) whatever the number of examples, AUC within a reported bound; exact: every score kept.")
  String mode;

  @Option(names = "--bins", defaultValue = "1024", description = "Logit bins per class in binned mode (even).")
  int bins;

  @Option(names = "--min-support-for-tuning", defaultValue = "10", description = "Classes with fewer positives keep "
      + "--threshold instead of a threshold tuned for F1.")
  int minSupport;

  @Mixin BeamRunnerOptions runner;

  @Override
  public Integer call() throws Exception {
    EvaluatePipeline.Settings s = new EvaluatePipeline.Settings();
    s.shardDir = shards.toAbsolutePath();
    s.modelDir = model.toAbsolutePath();
    s.outputDir = output == null ? null : output.toAbsolutePath();
    s.split = split;
    s.threshold = threshold;
    s.batchSize = batchSize;
    s.device = device;
    if (!mode.equals("binned") && !mode.equals("exact")) {
      throw new IllegalArgumentException("--mode must be binned or exact, was '" + mode + "'");
    }
    s.bins = mode.equals("exact") ? 0 : bins;
    s.minSupportForTuning = minSupport;
    MultiLabelReport r = EvaluatePipeline.run(s, runner.options());
    System.out.print(SummaryTable.format(r));
    Path out = s.outputDir != null ? s.outputDir : s.shardDir;
    System.out.println("metrics: " + out.resolve(EvaluatePipeline.METRICS_FILE) + ", " + out.resolve(EvaluatePipeline.PER_CLASS_FILE)
        + ", " + out.resolve(EvaluatePipeline.THRESHOLDS_FILE));
    System.out.println("report:  " + out.resolve(EvaluatePipeline.REPORT_FILE));
    return 0;
  }
}
