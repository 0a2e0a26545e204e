package dev.labelbeam.cli;

import dev.labelbeam.pipelines.PreprocessPipeline;
import dev.labelbeam.pipelines.PreprocessSummary;
import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.transforms.PreprocessImages;
import dev.labelbeam.transforms.images.DecodeAndResize.UnknownLabels;
import dev.labelbeam.transforms.images.ImageResizer;
import dev.labelbeam.transforms.images.ResizeSpec;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code labelbeam preprocess}: images and labels to TFRecord shards. */
@Command(name = "preprocess", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Read a manifest (CSV 'path,labels' with labels separated by '|', or JSON Lines "
        + "{\"image\": ..., \"labels\": [...]}) or an image-folder tree, decode and resize the images with OpenCV, and "
        + "write TFRecord shards of tf.train.Example records with packed label bitsets, plus labels.txt, "
        + "dataset.json and dead_letter.jsonl (every bad input with its reason).",
    footer = BeamRunnerOptions.FOOTER)
public final class PreprocessCommand implements Callable<Integer> {
  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  static final class Input {
    @Option(names = "--manifest", description = "A manifest: .csv, or .jsonl/.json/.ndjson for JSON Lines. Relative "
        + "image paths are relative to its folder.")
    String manifest;

    @Option(names = "--image-folder", description = "A folder tree: each file's labels are the folder names on its path.")
    String imageFolder;
  }

  @Option(names = "--output", required = true, description = "Output folder for shards and side files.")
  Path output;

  @Option(names = "--labels", description = "A labels.txt to use as the vocabulary. Default: the sorted labels of the data.")
  Path labels;

  @Option(names = "--unknown-labels", defaultValue = "dead-letter", description = "With --labels, an image with a "
      + "label outside it: dead-letter or fail.")
  String unknownLabels;

  @Option(names = "--min-label-count", defaultValue = "1", description = "Without --labels, keep labels seen at least "
      + "this often; rarer labels are dropped from the images.")
  int minLabelCount;

  @Option(names = "--resize", defaultValue = "shorter:256", description = "shorter:S (shorter side to S, aspect kept), "
      + "fit:WxH (fit in a box, aspect kept) or exact:WxH.")
  String resize;

  @Option(names = "--output-format", defaultValue = "jpeg", description = "jpeg, png or raw (RGB bytes).")
  String outputFormat;

  @Option(names = "--jpeg-quality", defaultValue = "90", description = "JPEG quality of the re-encoded images (1-100).")
  int jpegQuality;

  @Option(names = "--max-pixels", defaultValue = "100000000", description = "Images whose header declares more pixels "
      + "are dead-lettered before decoding (decompression bombs).")
  long maxPixels;

  @Option(names = "--max-file-mb", defaultValue = "64", description = "Larger files are dead-lettered unread.")
  long maxFileMb;

  @Option(names = "--val-fraction", defaultValue = "0.1", description = "Fraction of images in the val split (by hash of the id).")
  double valFraction;

  @Option(names = "--test-fraction", defaultValue = "0.0", description = "Fraction of images in the test split (by hash of the id).")
  double testFraction;

  @Option(names = "--split-seed", defaultValue = "", description = "Salt of the split hash; change it for another split.")
  String splitSeed;

  @Option(names = "--shard-size-mb", defaultValue = "200", description = "Target shard size for splits without a fixed count.")
  int shardSizeMb;

  @Option(names = "--train-shards", defaultValue = "0", description = "Fixed number of train shards; 0: by --shard-size-mb.")
  int trainShards;

  @Option(names = "--val-shards", defaultValue = "0", description = "Fixed number of val shards; 0: by --shard-size-mb.")
  int valShards;

  @Option(names = "--test-shards", defaultValue = "0", description = "Fixed number of test shards; 0: by --shard-size-mb.")
  int testShards;

  @Option(names = "--gzip", defaultValue = "false", description = "Gzip the shards (.tfrecord.gz). Default: off.")
  boolean gzip;

  @Option(names = "--max-bad-fraction", defaultValue = "1.0", description = "Fail the job when more than this fraction "
      + "of input records is dead-lettered (1.0: report, never fail).")
  double maxBadFraction;

  @Mixin BeamRunnerOptions runner;

  @Override
  public Integer call() throws Exception {
    PreprocessImages t = input.manifest != null
        ? PreprocessImages.fromManifest(absolute(input.manifest))
        : PreprocessImages.fromImageFolder(absolute(input.imageFolder));
    t = t.withResize(ResizeSpec.parse(resize))
        .withOutput(ImageResizer.Output.parse(outputFormat))
        .withJpegQuality(jpegQuality)
        .withMaxPixels(maxPixels)
        .withMaxFileBytes(maxFileMb << 20)
        .withSplit(valFraction, testFraction, splitSeed)
        .withShardSizeMb(shardSizeMb)
        .withGzip(gzip)
        .withMaxBadFraction(maxBadFraction)
        .withMinLabelCount(minLabelCount);
    if (trainShards > 0) {
      t = t.withShards("train", trainShards);
    }
    if (valShards > 0) {
      t = t.withShards("val", valShards);
    }
    if (testShards > 0) {
      t = t.withShards("test", testShards);
    }
    if (labels != null) {
      String policy = unknownLabels.toLowerCase(Locale.ROOT);
      if (!policy.equals("dead-letter") && !policy.equals("fail")) {
        throw new IllegalArgumentException("--unknown-labels must be dead-letter or fail, was '" + unknownLabels + "'");
      }
      t = t.withVocabulary(LabelVocabulary.read(labels))
          .withUnknownLabels(policy.equals("fail") ? UnknownLabels.FAIL : UnknownLabels.DEAD_LETTER);
    }
    Path out = output.toAbsolutePath();
    DatasetInfo info = PreprocessPipeline.run(t, out, runner.options());
    System.out.print(PreprocessSummary.format(info, out));
    return 0;
  }

  /** Local paths made absolute; URLs of other filesystems (gs://, s3://) left as they are. */
  private static String absolute(String p) {
    return p.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") ? p : Path.of(p).toAbsolutePath().toString();
  }
}
