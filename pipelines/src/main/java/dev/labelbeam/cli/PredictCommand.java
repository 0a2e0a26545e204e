package dev.labelbeam.cli;

import dev.labelbeam.trainer.DeviceChoice;
import dev.labelbeam.pipelines.PredictPipeline;
import java.nio.file.Path;
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
  @Option(names = "--model", required = true, description = "Folder of a checkpoint (model.pt, model.json).")
  Path model;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  static final class Input {
    @Option(names = "--records", description = "Glob of TFRecord shards, e.g. 'shards/test-*.tfrecord'.")
    String records;

    @Option(names = "--images", description = "Glob of image files (JPEG, PNG, ...), e.g. 'photos/*.jpg'.")
    String images;
  }

  @Option(names = "--output", required = true, description = "Output folder for the JSON Lines.")
  Path output;

  @Option(names = "--thresholds", description = "A thresholds.json (as evaluate writes it: per-class thresholds tuned for F1). "
      + "Default: --threshold for every class.")
  Path thresholds;

  @Option(names = "--threshold", defaultValue = "0.5", description = "The threshold of every class when no --thresholds file is given.")
  double threshold;

  @Option(names = "--top-k", defaultValue = "5", description = "Highest scores listed per image.")
  int topK;

  @Option(names = "--batch-size", defaultValue = "64", description = "Images per forward pass.")
  int batchSize;

  @Option(names = "--device", defaultValue = "auto", description = "${COMPLETION-CANDIDATES}: auto is CUDA when available.")
  DeviceChoice device;

  @Mixin BeamRunnerOptions runner;

  @Override
  public Integer call() throws Exception {
    PredictPipeline.Settings s = new PredictPipeline.Settings();
    s.modelDir = model.toAbsolutePath();
    s.records = input.records;
    s.images = input.images;
    s.outputDir = output.toAbsolutePath();
    s.thresholdsFile = thresholds == null ? null : thresholds.toAbsolutePath();
    s.threshold = threshold;
    s.topK = topK;
    s.batchSize = batchSize;
    s.device = device;
    long n = PredictPipeline.run(s, runner.options());
    System.out.println(n + " predictions in " + s.outputDir.resolve(PredictPipeline.PREDICTIONS_PREFIX + "-*.jsonl")
        + "; undecodable images in " + s.outputDir.resolve(PredictPipeline.DEAD_LETTER_FILE));
    return 0;
  }
}
