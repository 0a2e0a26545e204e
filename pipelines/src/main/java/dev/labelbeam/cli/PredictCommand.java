package dev.labelbeam.cli;

import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.pipelines.PredictPipeline;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code labelbeam predict}: inference to JSON Lines. */
@Command(name = "predict", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Score TFRecord shards or image files with a trained checkpoint in a Beam pipeline and write JSON "
        + "Lines (predictions-SSSSS-of-NNNNN.jsonl): per image its id, the labels whose score reaches their class "
        + "threshold, and the top-k scores. Images that do not decode go to dead_letter.jsonl.",
    footer = BeamRunnerOptions.FOOTER)
public final class PredictCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "Folder of a checkpoint (model.pt, model.json): a local path or a URL of any Beam filesystem.")
  String model;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  static final class Input {
    @Option(names = "--records", description = "Glob of TFRecord shards, e.g. 'shards/test-*.tfrecord'.")
    String records;

    @Option(names = "--images", description = "Glob of image files (JPEG, PNG, ...), e.g. 'photos/*.jpg'.")
    String images;
  }

  @Option(names = "--output", required = true, description = "Output folder for the JSON Lines.")
  String output;

  @Option(names = "--thresholds", description = "A thresholds.json (as evaluate writes it: per-class thresholds tuned for F1). "
      + "Default: --threshold for every class.")
  String thresholds;

  @Option(names = "--threshold", description = "The threshold of every class when no --thresholds file is given.")
  double threshold = MetricsOptions.DEFAULT_THRESHOLD;

  @Option(names = "--top-k", description = "Highest scores listed per image.")
  int topK = PredictPipeline.Job.DEFAULT_TOP_K;

  @Option(names = "--full-scores", defaultValue = "false", description = "Write every class's score (\"scores\", in "
      + "labels.txt order), the true labels of shard records (\"labels\") and the labels at the thresholds "
      + "(\"predicted\"): the format evaluate --predictions reads. Default: off.")
  boolean fullScores;

  @Mixin ScoringOptionsMixin scoring;

  @Mixin BeamRunnerOptions runner;

  @Override
  public Integer call() throws Exception {
    PredictPipeline.Job s = new PredictPipeline.Job(PreprocessCommand.absolute(model), input.records, input.images,
        PreprocessCommand.absolute(output), thresholds == null ? null : PreprocessCommand.absolute(thresholds), threshold,
        topK, scoring.options(), fullScores);
    long n = PredictPipeline.run(s, runner.options());
    System.out.println(n + " predictions in " + PredictPipeline.file(s.outputDir(), PredictPipeline.PREDICTIONS_PREFIX)
        + "-*.jsonl; undecodable images in " + PredictPipeline.file(s.outputDir(), PredictPipeline.DEAD_LETTER_FILE));
    return 0;
  }
}
