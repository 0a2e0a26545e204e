package dev.labelbeam.cli;

import dev.labelbeam.pipelines.PreprocessPipeline;
import dev.labelbeam.pipelines.PreprocessSummary;
import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.transforms.PreprocessImages;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code labelbeam preprocess}: manifest and images to TFRecord shards. */
@Command(name = "preprocess", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Read a CSV manifest (path,labels with labels separated by '|') and its images, decode and resize them "
        + "with OpenCV, and write TFRecord shards of tf.train.Example records with packed label bitsets, plus "
        + "labels.txt, dataset.json and dead_letter.jsonl.",
    footer = BeamRunnerOptions.FOOTER)
public final class PreprocessCommand implements Callable<Integer> {
  @Option(names = "--manifest", required = true, description = "CSV manifest; relative image paths are relative to its folder.")
  Path manifest;

  @Option(names = "--output", required = true, description = "Output folder for shards and side files.")
  Path output;

  @Option(names = "--labels", description = "A labels.txt to use as the vocabulary; labels outside it are dead-lettered. "
      + "Default: the sorted labels found in the manifest.")
  Path labels;

  @Option(names = "--image-size", defaultValue = "256", description = "Shorter side after resizing, in pixels (aspect kept).")
  int imageSize;

  @Option(names = "--jpeg-quality", defaultValue = "90", description = "JPEG quality of the re-encoded images (1-100).")
  int jpegQuality;

  @Option(names = "--val-fraction", defaultValue = "0.1", description = "Fraction of images in the val split (by hash of the id).")
  double valFraction;

  @Option(names = "--test-fraction", defaultValue = "0.0", description = "Fraction of images in the test split (by hash of the id).")
  double testFraction;

  @Option(names = "--split-seed", defaultValue = "", description = "Salt of the split hash; change it for another split.")
  String splitSeed;

  @Option(names = "--train-shards", defaultValue = "4", description = "Number of train shards.")
  int trainShards;

  @Option(names = "--val-shards", defaultValue = "1", description = "Number of val shards.")
  int valShards;

  @Option(names = "--test-shards", defaultValue = "1", description = "Number of test shards.")
  int testShards;

  @Mixin BeamRunnerOptions runner;

  @Override
  public Integer call() throws Exception {
    PreprocessImages t = PreprocessImages.fromCsvManifest(manifest.toAbsolutePath().toString())
        .withShorterSide(imageSize)
        .withJpegQuality(jpegQuality)
        .withSplit(valFraction, testFraction, splitSeed)
        .withShards("train", trainShards)
        .withShards("val", valShards)
        .withShards("test", testShards);
    if (labels != null) {
      t = t.withVocabulary(LabelVocabulary.read(labels));
    }
    Path out = output.toAbsolutePath();
    DatasetInfo info = PreprocessPipeline.run(t, out, runner.options());
    System.out.print(PreprocessSummary.format(info, out));
    return 0;
  }
}
