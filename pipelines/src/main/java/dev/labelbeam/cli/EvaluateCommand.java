package dev.labelbeam.cli;

import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.Thresholds;
import dev.labelbeam.pipelines.EvaluateModel;
import dev.labelbeam.pipelines.EvaluatePipeline;
import dev.labelbeam.pipelines.EvaluatePredictionsPipeline;
import dev.labelbeam.pipelines.SummaryTable;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.transforms.shards.DatasetFiles;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.options.PipelineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code labelbeam evaluate}: score a split with a checkpoint and report per-class metrics. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Score a split's records with a trained checkpoint in a Beam pipeline and compute per-class "
        + "precision, recall, F1 (at --threshold) and ROC AUC, macro and micro averages, and the same for a "
        + "baseline predicting each label's training frequency; AP and mAP; micro, macro, weighted and samples "
        + "averages; per-class thresholds tuned for F1. Writes metrics.json, per_class.csv, thresholds.json and a "
        + "self-contained report.html. With --predictions and --labels it evaluates the scores of any model instead "
        + "(JSON Lines {\"id\", \"labels\", \"scores\"} or CSV id,labels,<class...>, scores in labels.txt order).",
    footer = BeamRunnerOptions.FOOTER)
public final class EvaluateCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--shards", description = "Folder of a preprocess run (with --model).")
  String shards;

  @Option(names = "--model", description = "Folder of a checkpoint (model.pt, model.json): a local path or a URL of any Beam filesystem.")
  String model;

  @Option(names = "--predictions", description = "Instead of --shards and --model: files or a glob (quoted) of "
      + "predictions made by any model, .jsonl or .csv; lines that cannot be used go to predictions_dead_letter.jsonl. "
      + "Scores are kept as given (float64): thresholds and --mode exact compare them unrounded (metrics.json: "
      + "scorePrecision).")
  String predictions;

  @Option(names = "--labels", description = "With --predictions: the labels.txt whose order the scores follow.")
  String labels;

  @Option(names = "--output", description = "Folder for metrics.json, per_class.csv, thresholds.json and report.html, local or a URL "
      + "(default: the shards folder).")
  String output;

  @Option(names = "--thresholds", description = "A thresholds.json (as evaluate writes it), e.g. tuned on val, to apply "
      + "class by class instead of --threshold: honest figures for another split (thresholds tuned and measured on one "
      + "split overstate F1). metrics.json records where they came from.")
  String thresholds;

  @Option(names = "--split", description = "Split to evaluate: train, val or test.")
  String split = "val";

  @Mixin MetricsOptionsMixin metrics;

  @Mixin ScoringOptionsMixin scoring;

  @Mixin BeamRunnerOptions runner;

  @Override
  public Integer call() throws Exception {
    PipelineOptions options = runner.options(); // first: a misspelt option is a usage error before any I/O
    if (predictions != null) {
      return evaluatePredictions(options);
    }
    if (shards == null || model == null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "give --shards and --model (score a checkpoint), or --predictions and --labels (scores of any model)");
    }
    String shardDir = PreprocessCommand.absolute(shards);
    String out = output != null ? PreprocessCommand.absolute(output) : shardDir;
    EvaluateModel evaluate = EvaluateModel.on(shardDir).withOutputDir(out).withSplit(split)
        .withScoring(scoring.options())
        .withMetrics(metricsFor(DatasetFiles.readVocabulary(shardDir).names()));
    MultiLabelReport r = EvaluatePipeline.run(PreprocessCommand.absolute(model), evaluate, options);
    System.out.print(SummaryTable.format(r));
    String dir = out.endsWith("/") ? out : out + "/";
    System.out.println("metrics: " + dir + EvaluatePipeline.METRICS_FILE + ", " + dir + EvaluatePipeline.PER_CLASS_FILE
        + ", " + dir + EvaluatePipeline.THRESHOLDS_FILE);
    System.out.println("report:  " + dir + EvaluatePipeline.REPORT_FILE);
    return 0;
  }

  /** The metrics options, with the --thresholds file's per-class thresholds when given (checked against the labels). */
  private MetricsOptions metricsFor(List<String> labels) throws java.io.IOException {
    MetricsOptions o = metrics.options();
    if (thresholds == null) {
      return o;
    }
    return o.withClassThresholds(Thresholds.fromJson(DatasetFiles.readTextFile(PreprocessCommand.absolute(thresholds))),
        labels, thresholds);
  }

  private int evaluatePredictions(PipelineOptions options) throws Exception {
    if (labels == null || shards != null || model != null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--predictions goes with --labels (the scores' class order), not with --shards or --model");
    }
    if (output == null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--predictions needs --output");
    }
    List<String> names = LabelVocabulary.fromText(DatasetFiles.readTextFile(PreprocessCommand.absolute(labels))).names();
    String out = PreprocessCommand.absolute(output);
    EvaluatePredictionsPipeline.Result r = EvaluatePredictionsPipeline.run(PreprocessCommand.absolute(predictions),
        names, out, metricsFor(names), options);
    System.out.print(SummaryTable.format(r.report()));
    System.out.printf("prediction lines %d = evaluated %d + dead-lettered %s%n", r.lines(), r.evaluated(),
        r.deadLetters());
    String dir = out.endsWith("/") ? out : out + "/";
    System.out.println("metrics: " + dir + EvaluatePipeline.METRICS_FILE + ", " + dir + EvaluatePipeline.PER_CLASS_FILE
        + ", " + dir + EvaluatePipeline.THRESHOLDS_FILE + "; report: " + dir + EvaluatePipeline.REPORT_FILE);
    return 0;
  }
}
