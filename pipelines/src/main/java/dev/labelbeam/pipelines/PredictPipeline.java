package dev.labelbeam.pipelines;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.metrics.Thresholds;
import dev.labelbeam.metrics.TopK;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.LabelMatch;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.trainer.model.ModelFolders;
import dev.labelbeam.trainer.model.ModelSpec;
import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.errors.DeadLetterCoder;
import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.images.ImageProcessingException;
import dev.labelbeam.transforms.images.ImageResizer;
import dev.labelbeam.transforms.manifest.ManifestEntry;
import dev.labelbeam.transforms.manifest.ReadImageFolder;
import dev.labelbeam.transforms.manifest.ReadManifest;
import dev.labelbeam.transforms.shards.BeamStorage;
import dev.labelbeam.transforms.shards.DatasetFiles;
import dev.labelbeam.transforms.shards.ImageRecordCoder;
import dev.labelbeam.transforms.shards.ReadImageRecords;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Inference as a pipeline: score TFRecord shards or plain image files with a checkpoint and write
 * JSON Lines, one object per image: {@code {"id": ..., "labels": [labels whose score is at or above
 * their class threshold], "top": [{"label": ..., "score": ...}, ... k highest]}}. Thresholds come
 * from a {@code thresholds.json} (per class, as {@code evaluate} tunes them) or are one number for
 * all classes. Images that do not decode go to {@code dead_letter.jsonl} with the reason.
 */
public final class PredictPipeline {
  public static final String PREDICTIONS_PREFIX = "predictions";
  public static final String DEAD_LETTER_FILE = "dead_letter.jsonl";

  private PredictPipeline() {}

  /**
   * One inference run.
   *
   * @param modelDir folder of a checkpoint, local or a URL of a Beam filesystem (copied to a local folder to load)
   * @param records a glob of TFRecord shards, or null
   * @param images a glob of image files (any format OpenCV decodes), or null; exactly one of the two
   * @param outputDir folder for the JSON Lines and the dead letters
   * @param thresholdsFile a {@code thresholds.json}, or null for {@code threshold} on every class
   * @param threshold the threshold of every class without a file, in [0, 1]; default 0.5
   * @param topK highest scores listed per image, >= 0; default 5
   * @param scoring batch size and device
   */
  public record Job(String modelDir, String records, String images, String outputDir, String thresholdsFile, double threshold,
      int topK, ScoringOptions scoring, boolean fullScores) {
    /** Default number of top scores listed. */
    public static final int DEFAULT_TOP_K = 5;

    /** Validates; the message names the option, the value and what is allowed. */
    public Job {
      if ((records == null) == (images == null)) {
        throw new IllegalArgumentException("give exactly one input: records (TFRecord shards) or images");
      }
      if (topK < 0) {
        throw new IllegalArgumentException("topK must be >= 0, was " + topK);
      }
      if (!(threshold >= 0 && threshold <= 1)) {
        throw new IllegalArgumentException("threshold must be in [0, 1], was " + threshold);
      }
      java.util.Objects.requireNonNull(modelDir, "modelDir");
      java.util.Objects.requireNonNull(outputDir, "outputDir");
      java.util.Objects.requireNonNull(scoring, "scoring");
    }

    /** Shards to score, with the default threshold, top-k and scoring. */
    public static Job onRecords(String modelDir, String records, String outputDir) {
      return new Job(modelDir, records, null, outputDir, null, MetricsOptions.DEFAULT_THRESHOLD, DEFAULT_TOP_K,
          ScoringOptions.defaults(), false);
    }

    /** Image files to score, with the default threshold, top-k and scoring. */
    public static Job onImages(String modelDir, String images, String outputDir) {
      return new Job(modelDir, null, images, outputDir, null, MetricsOptions.DEFAULT_THRESHOLD, DEFAULT_TOP_K,
          ScoringOptions.defaults(), false);
    }

    /** A copy applying the per-class thresholds of a {@code thresholds.json} (null: none). */
    public Job withThresholdsFile(String f) {
      return new Job(modelDir, records, images, outputDir, f, threshold, topK, scoring, fullScores);
    }

    /** A copy with another uniform threshold. */
    public Job withThreshold(double t) {
      return new Job(modelDir, records, images, outputDir, thresholdsFile, t, topK, scoring, fullScores);
    }

    /** A copy listing another number of top scores. */
    public Job withTopK(int k) {
      return new Job(modelDir, records, images, outputDir, thresholdsFile, threshold, k, scoring, fullScores);
    }

    /** A copy with other scoring options. */
    public Job withScoring(ScoringOptions o) {
      return new Job(modelDir, records, images, outputDir, thresholdsFile, threshold, topK, o, fullScores);
    }

    /**
     * A copy writing every class's score ({@code "scores"}, in labels.txt order) and the true labels
     * ({@code "labels"}, from the shards' label bits; empty for image files), with the labels at or above
     * the thresholds as {@code "predicted"}: the format {@code evaluate --predictions} reads.
     */
    public Job withFullScores(boolean on) {
      return new Job(modelDir, records, images, outputDir, thresholdsFile, threshold, topK, scoring, on);
    }
  }

  /** Runs to completion; returns the number of prediction lines written. */
  public static long run(Job s, PipelineOptions options) throws IOException {
    ModelSpec spec = ModelFolders.readSpec(s.modelDir(), BeamStorage.create());
    Thresholds thresholds = s.thresholdsFile() == null
        ? Thresholds.uniform(spec.labels, s.threshold())
        : Thresholds.fromJson(DatasetFiles.readTextFile(s.thresholdsFile()));
    double[] perClass = thresholds.forLabels(spec.labels);
    if (s.records() != null) {
      checkRecordsFitModel(s.records(), spec.labels, s.fullScores());
    }
    checkOutputUnused(s.outputDir());
    DatasetFiles.createFolderIfLocal(s.outputDir());

    Pipeline p = Pipeline.create(options);
    PCollection<ImageRecord> records;
    PCollection<DeadLetter> undecodable;
    if (s.records() != null) {
      records = p.apply("Records", Create.of(s.records())).apply("ReadShards", ReadImageRecords.create());
      undecodable = p.apply("NoImageFiles", Create.empty(DeadLetterCoder.of()));
    } else {
      String folder = imageFolder(s.images());
      PCollection<FileIO.ReadableFile> files = folder != null
          ? p.apply("ReadImageFolder", ReadImageFolder.from(folder)).get(ReadManifest.ENTRIES)
              .apply("Paths", MapElements.into(TypeDescriptor.of(String.class)).via(ManifestEntry::path))
              .apply("MatchImages", FileIO.matchAll())
              .apply("ReadMatches", FileIO.readMatches())
          : p.apply("MatchImages", FileIO.match().filepattern(s.images())).apply("ReadMatches", FileIO.readMatches());
      PCollectionTuple decoded = files.apply("ToRecords", ParDo.of(new ImageFileFn(spec.numClasses, spec.imageSize))
          .withOutputTags(ImageFileFn.RECORDS, TupleTagList.of(ImageFileFn.DEAD_LETTERS)));
      records = decoded.get(ImageFileFn.RECORDS);
      undecodable = decoded.get(ImageFileFn.DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    }
    records.setCoder(ImageRecordCoder.of());
    ScoringOptions scoring = Runners.inOneProcess(options) ? s.scoring().withBatchesRegrouped(true) : s.scoring();
    PCollectionTuple predicted = records.apply("Predict", Predict.withModel(s.modelDir()).withOptions(scoring));
    predicted.get(Predict.SCORED)
        .apply("ToJson", ParDo.of(new FormatDoFn(new FormatFn(new ArrayList<>(spec.labels), perClass, s.topK(), s.fullScores()))))
        .apply("WritePredictions", TextIO.write().to(file(s.outputDir(), PREDICTIONS_PREFIX)).withSuffix(".jsonl"));
    PCollectionList.of(predicted.get(Predict.DEAD_LETTERS)).and(undecodable)
        .apply("AllDeadLetters", Flatten.pCollections())
        .apply("DeadLetterJson", MapElements.into(TypeDescriptor.of(String.class)).via(DeadLetter::toJson))
        .apply("WriteDeadLetters", TextIO.write().to(file(s.outputDir(), DEAD_LETTER_FILE)).withoutSharding());
    PipelineResult result = p.run();
    PipelineResult.State state = result.waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("predict pipeline ended in state " + state);
    }
    long lines = PipelineCounters.sum(result, PredictPipeline.class, WRITTEN_COUNTER);
    return lines;
  }

  /**
   * The shards' labels must be the model's in the same order when they lie in a dataset folder (a
   * {@code labels.txt} beside them): the records' true labels are bits by position. With
   * {@code fullScores} (true labels written) shards without their {@code labels.txt} are refused: their
   * bits would be read with the model's labels, which may be another dataset's order.
   */
  static void checkRecordsFitModel(String recordsGlob, List<String> modelLabels, boolean fullScores) throws IOException {
    int slash = recordsGlob.lastIndexOf('/');
    String dir = slash < 0 ? "." : recordsGlob.substring(0, slash);
    String vocabulary;
    try {
      vocabulary = DatasetFiles.readText(dir, LabelVocabulary.FILE_NAME);
    } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException e) {
      if (fullScores) {
        throw new IllegalArgumentException("--full-scores writes the records' true labels, but there is no "
            + LabelVocabulary.FILE_NAME + " beside " + recordsGlob + " to name them (their label bits are in the order "
            + "of the dataset that wrote them). Copy the dataset's labels.txt into " + dir + ", or leave out --full-scores");
      }
      return; // records outside a dataset folder: only the scores are written, named by the model's labels
    }
    String problem = LabelMatch.problem("the model (model.json)", modelLabels,
        "labels.txt beside the records in " + dir, LabelVocabulary.fromText(vocabulary).names());
    if (problem != null) {
      throw new IllegalArgumentException(problem + ". Score records preprocessed with the model's labels");
    }
  }

  /**
   * Refuses an output folder that already holds predictions: the new run's {@code -of-00001} files would
   * sit beside the old {@code -of-00002} ones, and the glob {@code evaluate} reads would cover both runs.
   */
  static void checkOutputUnused(String outputDir) throws IOException {
    List<org.apache.beam.sdk.io.fs.MatchResult.Metadata> old = new ArrayList<>();
    for (String glob : List.of(file(outputDir, PREDICTIONS_PREFIX) + "*", file(outputDir, DEAD_LETTER_FILE))) {
      old.addAll(org.apache.beam.sdk.io.FileSystems.match(glob,
          org.apache.beam.sdk.io.fs.EmptyMatchTreatment.ALLOW).metadata());
    }
    if (!old.isEmpty()) {
      throw new IllegalArgumentException("--output " + outputDir + " already holds the output of an earlier predict run ("
          + old.get(0).resourceId().getFilename() + (old.size() > 1 ? " and " + (old.size() - 1) + " more" : "")
          + "): choose a new folder, or remove those files first");
    }
  }

  /**
   * The folder {@code images} names when it is one (a local folder given without a glob, or a path
   * ending in {@code /}): all its images are scored, walked as {@link ReadImageFolder} walks a tree. Else null.
   */
  static String imageFolder(String images) {
    if (images.contains("*") || images.contains("?") || images.contains("[")) {
      return null;
    }
    if (images.endsWith("/")) {
      return images;
    }
    return !dev.labelbeam.shard.Storage.isUrl(images) && java.nio.file.Files.isDirectory(java.nio.file.Path.of(images))
        ? images : null;
  }

  /** {@code name} in the folder {@code dir}, on any Beam filesystem. */
  public static String file(String dir, String name) {
    return DatasetFiles.file(dir, name).toString();
  }

  /**
   * An image file as a record to score (id = its path, no labels), decoded as {@code preprocess} decodes
   * it ({@link ImageResizer}: transparency composited on white, EXIF orientation, the corrupt-data and
   * size checks) and resized to the model's image size, so that a file scores as it would after
   * preprocessing. Files that do not decode go to {@link #DEAD_LETTERS} with preprocess's reasons.
   */
  static final class ImageFileFn extends DoFn<FileIO.ReadableFile, ImageRecord> {
    private static final long serialVersionUID = 1L;
    static final TupleTag<ImageRecord> RECORDS = new TupleTag<ImageRecord>() {};
    static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<DeadLetter>() {};
    private final int numClasses;
    private final int imageSize;
    private transient ImageResizer resizer;

    ImageFileFn(int numClasses, int imageSize) {
      this.numClasses = numClasses;
      this.imageSize = imageSize;
    }

    /** How an image file becomes the record the model scores: preprocess's decode, at the model's size. */
    static ImageResizer resizerFor(int imageSize) {
      return ImageOptions.defaults().withShorterSide(imageSize).resizer();
    }

    @Setup
    public void setup() {
      resizer = resizerFor(imageSize);
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile f, MultiOutputReceiver out) throws IOException {
      String id = f.getMetadata().resourceId().toString();
      byte[] bytes;
      try (InputStream in = Channels.newInputStream(f.open())) {
        bytes = in.readAllBytes();
      }
      try {
        ImageResizer.Resized r = resizer.process(bytes);
        out.get(RECORDS).output(new ImageRecord(id, r.bytes, r.format, r.height, r.width, new byte[(numClasses + 7) / 8]));
      } catch (ImageProcessingException e) {
        out.get(DEAD_LETTERS).output(new DeadLetter(id, id, e.reason(), e.getMessage()));
      }
    }
  }

  /** Name of the Beam counter of prediction lines written. */
  static final String WRITTEN_COUNTER = "predictions_written";

  /** Formats each prediction and counts it (the count comes from the runner, not from reading the output). */
  static final class FormatDoFn extends DoFn<ScoredExample, String> {
    private static final long serialVersionUID = 1L;
    private final FormatFn format;
    private final Counter written = Metrics.counter(PredictPipeline.class, WRITTEN_COUNTER);

    FormatDoFn(FormatFn format) {
      this.format = format;
    }

    @ProcessElement
    public void process(@Element ScoredExample e, OutputReceiver<String> out) {
      out.output(format.apply(e));
      written.inc();
    }
  }

  /** Formats one prediction line. */
  static final class FormatFn implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final List<String> labels;
    private final double[] thresholds;
    private final int topK;
    private final boolean fullScores;

    FormatFn(List<String> labels, double[] thresholds, int topK, boolean fullScores) {
      this.labels = labels;
      this.thresholds = thresholds;
      this.topK = topK;
      this.fullScores = fullScores;
    }

    String apply(ScoredExample e) {
      ObjectNode n = MAPPER.createObjectNode();
      n.put("id", e.id);
      if (fullScores) {
        ArrayNode truth = n.putArray("labels");
        for (int c : dev.labelbeam.shard.LabelBits.unpack(e.labelBits, labels.size())) {
          truth.add(labels.get(c));
        }
        ArrayNode predicted = n.putArray("predicted");
        ArrayNode scores = n.putArray("scores");
        for (int c = 0; c < e.scores.length; c++) {
          if (e.scores[c] >= thresholds[c]) {
            predicted.add(labels.get(c));
          }
          scores.add(e.scores[c]);
        }
        return n.toString();
      }
      ArrayNode above = n.putArray("labels");
      for (int c = 0; c < e.scores.length; c++) {
        if (e.scores[c] >= thresholds[c]) {
          above.add(labels.get(c));
        }
      }
      int[] order = TopK.of(e.scores, topK);
      ArrayNode top = n.putArray("top");
      for (int k = 0; k < order.length; k++) {
        ObjectNode t = top.addObject();
        t.put("label", labels.get(order[k]));
        t.put("score", e.scores[order[k]]);
      }
      return n.toString();
    }
  }
}
