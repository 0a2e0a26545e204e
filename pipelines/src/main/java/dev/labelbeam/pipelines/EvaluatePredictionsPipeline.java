package dev.labelbeam.pipelines;

import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.errors.Reason;
import dev.labelbeam.transforms.evaluation.EvaluateMultiLabel;
import dev.labelbeam.transforms.evaluation.ReadPredictions;
import dev.labelbeam.transforms.evaluation.WriteEvaluationReports;
import dev.labelbeam.transforms.evaluation.WriteScores;
import dev.labelbeam.transforms.shards.DatasetFiles;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code evaluate --predictions}: the metrics, thresholds and report of scores any model made, read
 * from JSON Lines or CSV files ({@link ReadPredictions}), with the lines that cannot be used in
 * {@code predictions_dead_letter.jsonl}. Every line read is either evaluated or dead-lettered.
 */
public final class EvaluatePredictionsPipeline {
  /** The lines that could not be evaluated, one JSON object a line, beside the reports. */
  public static final String DEAD_LETTER_FILE = "predictions_dead_letter.jsonl";

  private EvaluatePredictionsPipeline() {}

  /** What a run did: the report it wrote and the lines read, evaluated and dead-lettered by reason. */
  public record Result(MultiLabelReport report, long lines, long evaluated, Map<String, Long> deadLetters) {}

  /**
   * Runs to completion.
   *
   * @param predictions files or a glob of predictions
   * @param labels the classes, in the scores' order (labels.txt)
   * @throws IllegalStateException when no line could be evaluated (the dead letters say why)
   */
  public static Result run(String predictions, List<String> labels, String outputDir, MetricsOptions metrics,
      PipelineOptions options) throws IOException {
    DatasetFiles.createFolderIfLocal(outputDir);
    Pipeline p = Pipeline.create(options);
    PCollectionTuple read = p.apply("ReadPredictions", ReadPredictions.from(predictions).withLabels(labels));
    read.get(ReadPredictions.DEAD_LETTERS)
        .apply("DeadLetterJson", MapElements.into(TypeDescriptors.strings()).via(DeadLetter::toJson))
        .apply("WriteDeadLetters", TextIO.write().to(PredictPipeline.file(outputDir, DEAD_LETTER_FILE)).withoutSharding());
    if (metrics.mode() == MetricsOptions.Mode.EXACT) {
      read.get(ReadPredictions.SCORED).apply("WriteScores", WriteScores.to(outputDir, labels));
    }
    read.get(ReadPredictions.SCORED)
        .apply("Metrics", EvaluateMultiLabel.create().withNumClasses(labels.size()).withOptions(metrics))
        .apply("WriteReport", WriteEvaluationReports.to(outputDir).withLabels(labels)
            .withTitle("labelbeam evaluation: " + predictions));
    PipelineResult result = p.run();
    PipelineResult.State state = result.waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("evaluate pipeline ended in state " + state);
    }
    long lines = PipelineCounters.sum(result, ReadPredictions.class, ReadPredictions.LINES_READ);
    Map<String, Long> dead = new TreeMap<>();
    for (Reason r : List.of(Reason.BAD_PREDICTION_LINE, Reason.WRONG_SCORE_COUNT, Reason.UNKNOWN_LABEL,
        Reason.DUPLICATE_ID)) {
      long n = PipelineCounters.sum(result, ReadPredictions.class, r.code());
      if (n > 0) {
        dead.put(r.code(), n);
      }
    }
    long evaluated = lines - dead.values().stream().mapToLong(Long::longValue).sum();
    if (evaluated <= 0) {
      throw new IllegalStateException("no prediction line in " + predictions + " could be evaluated (" + lines
          + " lines read, dead letters " + dead + "); see " + PredictPipeline.file(outputDir, DEAD_LETTER_FILE));
    }
    MultiLabelReport report = MultiLabelReport.fromJson(DatasetFiles.readText(outputDir, WriteEvaluationReports.METRICS_FILE));
    return new Result(report, lines, evaluated, dead);
  }
}
