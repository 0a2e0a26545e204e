package dev.labelbeam.cli;

import dev.labelbeam.pipelines.PreprocessPipeline;
import dev.labelbeam.pipelines.PreprocessSummary;
import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.transforms.PreprocessImages;
import dev.labelbeam.transforms.images.DecodeAndResize.UnknownLabels;
import dev.labelbeam.transforms.labels.PickledLabels;
import dev.labelbeam.transforms.shards.DatasetFiles;
import dev.labelbeam.transforms.shards.WriteImageShards;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.options.PipelineOptions;
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

  @Option(names = "--labels-pickle", description = "A pickled dict (Python's pickle, protocols 2-5) of image file "
      + "name or path relative to --image-folder -> labels, as a 0/1 vector (list, tuple or numpy array; with --labels "
      + "in its order, else label_00000...), a list of class indices or a list of label names; it replaces the "
      + "manifest's or the folders' labels. Read without running any code: a pickle naming another global is refused.")
  String labelsPickle;

  @Option(names = "--missing-labels", description = "With --labels-pickle, an image without an entry: dead-letter "
      + "(no_labels_entry) or empty (kept, all negative).")
  String missingLabels = "dead-letter";

  @Option(names = "--unknown-labels", converter = UnknownLabelsConverter.class, description = "With --labels, an "
      + "image with a label outside it: dead-letter or fail.")
  UnknownLabels unknownLabels = UnknownLabels.DEAD_LETTER;

  @Option(names = "--min-label-count", description = "Without --labels, keep labels seen at least this often; rarer "
      + "labels are dropped from the images.")
  int minLabelCount = 1;

  @Mixin ImageOptionsMixin images;

  @Mixin ShardOptionsMixin shards;

  @Option(names = "--max-bad-fraction", description = "Fail the job when more than this fraction of input records is "
      + "dead-lettered (1.0: report, never fail). A run that writes no record always fails.")
  double maxBadFraction = WriteImageShards.DEFAULT_MAX_BAD_FRACTION;

  @Mixin BeamRunnerOptions runner;

  @Override
  public Integer call() throws Exception {
    PipelineOptions options = runner.options(); // first: the filesystems of the user's flags, a usage error before I/O
    PreprocessImages t = (input.manifest != null
            ? PreprocessImages.fromManifest(absolute(input.manifest))
            : PreprocessImages.fromImageFolder(absolute(input.imageFolder)))
        .withImageOptions(images.options())
        .withShardOptions(shards.options())
        .withMaxBadFraction(maxBadFraction)
        .withMinLabelCount(minLabelCount);
    if (labelsPickle != null) {
      if (!missingLabels.equals("dead-letter") && !missingLabels.equals("empty")) {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
            "--missing-labels must be dead-letter or empty, was '" + missingLabels + "'");
      }
      // read here once to refuse an unsafe or unusable file before the job starts and to know the classes;
      // one worker reads it again and joins its entries with the images
      String pickleFile = absolute(labelsPickle);
      PickledLabels pickled = PickledLabels.read(DatasetFiles.readFile(pickleFile),
          labels == null ? null : LabelVocabulary.read(labels).names());
      System.out.println("labels pickle: " + pickled.entries().size() + " entries read as " + pickled.why());
      t = t.withPickledLabels(pickleFile, pickled, missingLabels.equals("empty"))
          .withVocabulary(new LabelVocabulary(pickled.classes())).withUnknownLabels(unknownLabels);
    } else if (labels != null) {
      t = t.withVocabulary(LabelVocabulary.read(labels)).withUnknownLabels(unknownLabels);
    }
    Path out = output.toAbsolutePath();
    DatasetInfo info = PreprocessPipeline.run(t, out, options);
    System.out.print(PreprocessSummary.format(info, out));
    return 0;
  }

  /** {@code dead-letter} or {@code fail}. */
  static final class UnknownLabelsConverter implements picocli.CommandLine.ITypeConverter<UnknownLabels> {
    @Override
    public UnknownLabels convert(String value) {
      switch (value.toLowerCase(Locale.ROOT).replace('_', '-')) {
        case "dead-letter":
          return UnknownLabels.DEAD_LETTER;
        case "fail":
          return UnknownLabels.FAIL;
        default:
          throw new picocli.CommandLine.TypeConversionException(
              "--unknown-labels must be dead-letter or fail, was '" + value + "'");
      }
    }
  }

  /** Local paths made absolute; URLs of other filesystems (gs://, s3://) left as they are. */
  static String absolute(String p) {
    return dev.labelbeam.shard.Storage.isUrl(p) ? p : Path.of(p).toAbsolutePath().toString();
  }
}
