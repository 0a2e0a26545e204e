package dev.labelbeam.cli;

import dev.labelbeam.pipelines.EvaluateModel;
import dev.labelbeam.pipelines.EvaluatePipeline;
import dev.labelbeam.pipelines.SummaryTable;
import dev.labelbeam.metrics.MultiLabelReport;
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
  String shards;

  @Option(names = "--model", required = true, description = "Folder of a checkpoint (model.pt, model.json): a local path or a URL of any Beam filesystem.")
  String model;

  @Option(names = "--output", description = "Folder for metrics.json, per_class.csv, thresholds.json and report.html, local or a URL "
      + "(default: the shards folder).")
  String output;

  @Option(names = "--split", description = "Split to evaluate: train, val or test.")
  String split = "val";

  @Mixin MetricsOptionsMixin metrics;

  @Mixin ScoringOptionsMixin scoring;

  @Mixin BeamRunnerOptions runner;

  @Override
  public Integer call() throws Exception {
    String shardDir = PreprocessCommand.absolute(shards);
    String out = output != null ? PreprocessCommand.absolute(output) : shardDir;
    EvaluateModel evaluate = EvaluateModel.on(shardDir).withOutputDir(out).withSplit(split)
        .withScoring(scoring.options()).withMetrics(metrics.options());
    MultiLabelReport r = EvaluatePipeline.run(PreprocessCommand.absolute(model), evaluate, runner.options());
    System.out.print(SummaryTable.format(r));
    String dir = out.endsWith("/") ? out : out + "/";
    System.out.println("metrics: " + dir + EvaluatePipeline.METRICS_FILE + ", " + dir + EvaluatePipeline.PER_CLASS_FILE
        + ", " + dir + EvaluatePipeline.THRESHOLDS_FILE);
    System.out.println("report:  " + dir + EvaluatePipeline.REPORT_FILE);
    return 0;
  }
}
