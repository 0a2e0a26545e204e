package dev.labelbeam.transforms;

import static dev.labelbeam.transforms.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.transforms.coders.LabelVocabularyCoder;
import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.errors.ToBadRecords;
import dev.labelbeam.transforms.images.DecodeAndResize;
import dev.labelbeam.transforms.images.DecodeAndResize.UnknownLabels;
import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.labels.ApplyPickledLabels;
import dev.labelbeam.transforms.labels.PickledLabels;
import dev.labelbeam.transforms.manifest.DeduplicateIds;
import dev.labelbeam.transforms.manifest.ManifestEntry;
import dev.labelbeam.transforms.manifest.ReadImageFolder;
import dev.labelbeam.transforms.manifest.ReadManifest;
import dev.labelbeam.transforms.manifest.VocabularyFromData;
import dev.labelbeam.transforms.shards.DatasetFiles;
import dev.labelbeam.transforms.shards.ShardOptions;
import dev.labelbeam.transforms.shards.WriteImageShards;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The whole preprocess stage as one composite transform that wires the public steps: read
 * ({@link ReadManifest} or {@link ReadImageFolder}) → {@link DeduplicateIds} → the vocabulary
 * (given, or {@link VocabularyFromData}) → {@link DecodeAndResize} → {@link WriteImageShards}, which
 * writes the shards, {@code labels.txt}, {@code dead_letter.jsonl} and, last, {@code dataset.json}
 * into the output folder ({@link dev.labelbeam.transforms.shards.CommitDataset}).
 *
 * <pre>{@code
 * PreprocessImages.Result r = p.apply(PreprocessImages.fromManifest("gs://bucket/manifest.jsonl")
 *     .to("gs://bucket/shards")
 *     .withImageOptions(ImageOptions.defaults().withShorterSide(256))
 *     .withShardOptions(ShardOptions.defaults().withSplit(0.05, 0.05, "").withShardSizeMb(200)));
 * p.run().waitUntilFinish();
 * }</pre>
 *
 * <p>Every input record ends up either as a shard record ({@link Result#records()}) or as a dead
 * letter with its reason ({@link Result#deadLetters()}); {@code dataset.json} records
 * {@code inputRecords}, counted independently, so that {@code inputRecords == sum(records) +
 * sum(deadLetters)} can be checked. With {@link #withMaxBadFraction} the job fails when too many
 * records are bad (its {@code dataset.json} and dead letters go to {@code refused/}; a dataset already
 * in the folder is left as it was).
 */
@AutoValue
public abstract class PreprocessImages extends PTransform<PBegin, PreprocessImages.Result> {
  private static final long serialVersionUID = 1L;

  /** Name of the dead-letter file in the output folder. */
  public static final String DEAD_LETTER_FILE = DatasetFiles.DEAD_LETTER_FILE;

  /** The manifest, or null with an image folder. */
  public abstract @Nullable String manifest();

  /** The image-folder root, or null with a manifest. */
  public abstract @Nullable String imageFolder();

  /** The output folder (required, {@link #to}). */
  public abstract @Nullable String outputDir();

  /** A given vocabulary, or null to build it from the data. */
  public abstract @Nullable LabelVocabulary vocabulary();

  /** With a given vocabulary: dead-letter (default) or fail on a label outside it. */
  public abstract UnknownLabels unknownLabels();

  /** Without a given vocabulary: keep labels seen at least this often. */
  public abstract int minLabelCount();

  /** How images are decoded, resized and encoded. */
  public abstract ImageOptions imageOptions();

  /** How records are split and sharded. */
  public abstract ShardOptions shardOptions();

  /** The fraction of dead-lettered inputs above which the dataset is refused. */
  public abstract double maxBadFraction();

  abstract @Nullable PickledSource pickled();

  abstract boolean missingAsEmpty();

  /** Whether the entries are redistributed over the workers before decoding ({@link DecodeAndResize#withoutReshuffle}). */
  public abstract boolean reshuffle();

  /** Where the dead letters also go as Beam {@code BadRecord}s ({@link #withBadRecordErrorHandler}), or null. */
  public abstract @Nullable ErrorHandler<BadRecord, ?> badRecordErrorHandler();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setBadRecordErrorHandler(ErrorHandler<BadRecord, ?> h);

    abstract Builder setManifest(String m);

    abstract Builder setImageFolder(String f);

    abstract Builder setOutputDir(String d);

    abstract Builder setVocabulary(LabelVocabulary v);

    abstract Builder setUnknownLabels(UnknownLabels u);

    abstract Builder setMinLabelCount(int n);

    abstract Builder setImageOptions(ImageOptions o);

    abstract Builder setShardOptions(ShardOptions o);

    abstract Builder setMaxBadFraction(double f);

    abstract Builder setPickled(PickledSource p);

    abstract Builder setMissingAsEmpty(boolean on);

    abstract Builder setReshuffle(boolean on);

    abstract PreprocessImages build();
  }

  /** The pickle's location, its classes and how it was read (for dataset.json); never its entries. */
  record PickledSource(String file, java.util.List<String> classes, String description) implements Serializable {}

  private static Builder defaults() {
    return new AutoValue_PreprocessImages.Builder().setUnknownLabels(UnknownLabels.DEAD_LETTER).setMinLabelCount(1)
        .setImageOptions(ImageOptions.defaults()).setShardOptions(ShardOptions.defaults())
        .setMaxBadFraction(WriteImageShards.DEFAULT_MAX_BAD_FRACTION).setMissingAsEmpty(false).setReshuffle(true);
  }

  /** A manifest, CSV or JSON Lines by its extension (see {@link ReadManifest#from}). */
  public static PreprocessImages fromManifest(String manifest) {
    checkArgument(manifest != null && !manifest.isEmpty(), "manifest must be a path, was '%s'", manifest);
    return defaults().setManifest(manifest).build();
  }

  /** An image-folder tree: each file's labels are the folder names on its path (see {@link ReadImageFolder}). */
  public static PreprocessImages fromImageFolder(String root) {
    checkArgument(root != null && !root.isEmpty(), "imageFolder must be a folder, was '%s'", root);
    return defaults().setImageFolder(root).build();
  }

  /** The output folder for shards and side files, on any Beam filesystem. Required. */
  public PreprocessImages to(String dir) {
    checkArgument(dir != null && !dir.isEmpty(), "outputDir must be a folder, was '%s'", dir);
    return toBuilder().setOutputDir(dir).build();
  }

  /** A fixed vocabulary; labels outside it are dead-lettered (or fail the job, see {@link #withUnknownLabels}). */
  public PreprocessImages withVocabulary(LabelVocabulary v) {
    checkArgument(v != null, "vocabulary must be set, was %s", v);
    return toBuilder().setVocabulary(v).build();
  }

  /** With a given vocabulary: dead-letter (default) or fail on a label outside it. */
  public PreprocessImages withUnknownLabels(UnknownLabels policy) {
    checkArgument(policy == UnknownLabels.DEAD_LETTER || policy == UnknownLabels.FAIL,
        "unknownLabels must be DEAD_LETTER or FAIL, was %s", policy);
    return toBuilder().setUnknownLabels(policy).build();
  }

  /** With a vocabulary built from the data: keep labels seen at least this often (>= 1, default 1); rarer labels are dropped from the images. */
  public PreprocessImages withMinLabelCount(int count) {
    checkArgument(count >= 1, "minLabelCount must be >= 1, was %s", count);
    return toBuilder().setMinLabelCount(count).build();
  }

  /** How images are decoded, resized and encoded; default {@link ImageOptions#defaults()}. */
  public PreprocessImages withImageOptions(ImageOptions o) {
    checkArgument(o != null, "image options must be set, was %s", o);
    return toBuilder().setImageOptions(o).build();
  }

  /** How records are split and sharded; default {@link ShardOptions#defaults()}. */
  public PreprocessImages withShardOptions(ShardOptions o) {
    checkArgument(o != null, "shard options must be set, was %s", o);
    return toBuilder().setShardOptions(o).build();
  }

  /**
   * Refuse the dataset when dead-lettered / input records exceed this fraction, in [0, 1]; default
   * {@value WriteImageShards#DEFAULT_MAX_BAD_FRACTION} (1: report, never refuse; a run that writes no record always fails).
   */
  public PreprocessImages withMaxBadFraction(double f) {
    checkArgument(f >= 0 && f <= 1, "maxBadFraction must be in [0, 1], was %s", f);
    return toBuilder().setMaxBadFraction(f).build();
  }

  /**
   * Also sends every dead letter of the run (bad manifest lines, duplicates, undecodable images, ...) to
   * {@code handler} as a Beam {@code BadRecord} ({@link ToBadRecords}), beside {@link Result#deadLetters()}
   * and {@code dead_letter.jsonl}: Beam's standard error handling, e.g. a handler registered with
   * {@code pipeline.registerBadRecordErrorHandler(sink)}.
   */
  public PreprocessImages withBadRecordErrorHandler(ErrorHandler<BadRecord, ?> handler) {
    checkArgument(handler != null, "handler must be set, was %s", handler);
    return toBuilder().setBadRecordErrorHandler(handler).build();
  }

  /** Decodes the entries where they arrive, without a {@code Reshuffle} first (see {@link DecodeAndResize#withoutReshuffle}). */
  public PreprocessImages withoutReshuffle() {
    return toBuilder().setReshuffle(false).build();
  }

  /**
   * Labels from a pickled dict ({@link PickledLabels}: image name or relative path → labels) instead of
   * the manifest's or the folder names; see {@link ApplyPickledLabels} for the lookup and its dead
   * letters. {@code file} is read again by one worker (any Beam filesystem); {@code checked} is the same
   * file as {@link PickledLabels#read} gave it beforehand, for its classes (its entries do not travel
   * with the pipeline). {@code missingAsEmpty}: keep images without an entry, with no labels.
   */
  public PreprocessImages withPickledLabels(String file, PickledLabels checked, boolean missingAsEmpty) {
    checkArgument(file != null && checked != null, "the pickle's file and its checked contents must be set, were %s",
        file + ", " + checked);
    PickledSource source = new PickledSource(file, java.util.List.copyOf(checked.classes()),
        checked.form() + " (" + checked.why() + "), " + checked.entries().size() + " entries");
    return toBuilder().setPickled(source).setMissingAsEmpty(missingAsEmpty).build();
  }

  /** The options recorded in {@code dataset.json}. */
  public Map<String, String> recordedOptions() {
    Map<String, String> o = new LinkedHashMap<>();
    o.put(manifest() != null ? "manifest" : "imageFolder", manifest() != null ? manifest() : imageFolder());
    o.putAll(imageOptions().describe());
    o.putAll(shardOptions().describe());
    o.put("vocabulary", vocabulary() == null
        ? "built from data, minLabelCount " + minLabelCount()
        : "given (" + vocabulary().size() + " labels), unknown labels " + unknownLabels().name().toLowerCase(Locale.ROOT));
    o.put("maxBadFraction", Double.toString(maxBadFraction()));
    if (pickled() != null) {
      o.put("labels", "pickled dict " + pickled().file() + " (" + pickled().description() + "), missing "
          + (missingAsEmpty() ? "empty" : "dead-lettered"));
    }
    return o;
  }

  @Override
  public Result expand(PBegin begin) {
    checkArgument(outputDir() != null, "outputDir must be set with to(dir)%s", "");
    PCollectionTuple read = manifest() != null
        ? begin.apply("ReadManifest", ReadManifest.from(manifest()))
        : begin.apply("ReadImageFolder", ReadImageFolder.from(imageFolder()));
    PCollection<ManifestEntry> entries = read.get(ReadManifest.ENTRIES);
    PCollection<DeadLetter> badLines = read.get(ReadManifest.DEAD_LETTERS);
    if (pickled() != null) {
      PCollectionTuple labeled = entries.apply("PickledLabels", ApplyPickledLabels.from(pickled().file(), pickled().classes())
          .missingAsEmpty(missingAsEmpty()));
      badLines = PCollectionList.of(badLines).and(labeled.get(ApplyPickledLabels.DEAD_LETTERS))
          .apply("BadLinesAndLabels", Flatten.pCollections());
      // the images count as inputs whatever their labels: count before the lookup
      PCollectionView<Long> inputs = countInputs(entries, read.get(ReadManifest.DEAD_LETTERS));
      return rest(begin, labeled.get(ApplyPickledLabels.ENTRIES), badLines, inputs);
    }
    return rest(begin, entries, badLines, countInputs(entries, badLines));
  }

  /** From the labeled entries on: dedup, vocabulary, decode, write and commit. */
  private Result rest(PBegin begin, PCollection<ManifestEntry> entries, PCollection<DeadLetter> badLines,
      PCollectionView<Long> inputCount) {
    PCollectionTuple unique = entries.apply("DeduplicateIds", DeduplicateIds.create());
    PCollection<ManifestEntry> kept = unique.get(DeduplicateIds.UNIQUE);
    PCollection<LabelVocabulary> vocabulary = vocabulary() != null
        ? begin.apply("GivenVocabulary", Create.of(vocabulary()).withCoder(LabelVocabularyCoder.of()))
        : kept.apply("VocabularyFromData", VocabularyFromData.create().withMinLabelCount(minLabelCount()));
    PCollectionView<LabelVocabulary> vocabularyView = vocabulary.apply("VocabularyView", View.asSingleton());

    DecodeAndResize decode = DecodeAndResize.with(vocabularyView)
        .withOptions(imageOptions())
        .withUnknownLabels(vocabulary() != null ? unknownLabels() : UnknownLabels.DROP);
    PCollectionTuple decoded = kept.apply("DecodeAndResize", reshuffle() ? decode : decode.withoutReshuffle());
    PCollection<ImageRecord> records = decoded.get(DecodeAndResize.RECORDS);
    PCollection<DeadLetter> deadLetters =
        PCollectionList.of(badLines).and(unique.get(DeduplicateIds.DEAD_LETTERS)).and(decoded.get(DecodeAndResize.DEAD_LETTERS))
            .apply("AllDeadLetters", Flatten.pCollections());
    ToBadRecords.sendTo(badRecordErrorHandler(), deadLetters);

    WriteImageShards.Result written = records.apply("WriteShards", WriteImageShards.to(outputDir())
        .withOptions(shardOptions())
        .withImageOptions(imageOptions())
        .withVocabulary(vocabularyView)
        .withDeadLetters(deadLetters)
        .withInputCount(inputCount)
        .withMaxBadFraction(maxBadFraction())
        .withRecordedOptions(recordedOptions()));
    return new Result(begin.getPipeline(), records, deadLetters, written.datasetInfo());
  }

  /** Input records, counted from the read step's outputs alone (entries plus unparsable lines). */
  private static PCollectionView<Long> countInputs(PCollection<ManifestEntry> entries, PCollection<DeadLetter> badLines) {
    return PCollectionList.of(entries.apply("EntryIds", MapElements.into(TypeDescriptors.strings()).via(ManifestEntry::id)))
        .and(badLines.apply("BadLineIds", MapElements.into(TypeDescriptors.strings()).via(DeadLetter::id)))
        .apply("AllInputs", Flatten.pCollections())
        .apply("CountInputs", Count.globally())
        .apply("InputCountView", View.asSingleton());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.addIfNotNull(DisplayData.item("manifest", manifest()).withLabel("Manifest"))
        .addIfNotNull(DisplayData.item("imageFolder", imageFolder()).withLabel("Image folder"))
        .addIfNotNull(DisplayData.item("outputDir", outputDir()).withLabel("Output folder"))
        .add(DisplayData.item("vocabulary", recordedOptions().get("vocabulary")).withLabel("Vocabulary"))
        .addIfNotDefault(DisplayData.item("maxBadFraction", maxBadFraction()).withLabel("Max bad fraction"), WriteImageShards.DEFAULT_MAX_BAD_FRACTION);
    Map<String, String> defaults = new LinkedHashMap<>(ImageOptions.defaults().describe());
    defaults.putAll(ShardOptions.defaults().describe());
    Map<String, String> given = new LinkedHashMap<>(imageOptions().describe());
    given.putAll(shardOptions().describe());
    given.forEach((k, v) -> builder.addIfNotDefault(DisplayData.item(k, v), defaults.get(k)));
  }

  /**
   * What preprocessing produced: the records written to the shards, every dead letter with its
   * reason, and the committed dataset's {@code dataset.json} (one element, emitted once the dataset
   * is in place; chain the next stage on it).
   */
  public static final class Result implements POutput {
    private final Pipeline pipeline;
    private final PCollection<ImageRecord> records;
    private final PCollection<DeadLetter> deadLetters;
    private final PCollection<DatasetInfo> datasetInfo;

    Result(Pipeline pipeline, PCollection<ImageRecord> records, PCollection<DeadLetter> deadLetters,
        PCollection<DatasetInfo> datasetInfo) {
      this.pipeline = pipeline;
      this.records = records;
      this.deadLetters = deadLetters;
      this.datasetInfo = datasetInfo;
    }

    /** The records written to the shards. */
    public PCollection<ImageRecord> records() {
      return records;
    }

    /** Every bad input (manifest line, duplicate id, unreadable or undecodable image, unknown label). */
    public PCollection<DeadLetter> deadLetters() {
      return deadLetters;
    }

    /** One element: the {@code dataset.json} written once the dataset is committed. */
    public PCollection<DatasetInfo> datasetInfo() {
      return datasetInfo;
    }

    @Override
    public Pipeline getPipeline() {
      return pipeline;
    }

    @Override
    public Map<TupleTag<?>, PValue> expand() {
      Map<TupleTag<?>, PValue> m = new LinkedHashMap<>();
      m.put(new TupleTag<ImageRecord>("records"), records);
      m.put(new TupleTag<DeadLetter>("deadLetters"), deadLetters);
      m.put(new TupleTag<DatasetInfo>("datasetInfo"), datasetInfo);
      return m;
    }

    @Override
    public void finishSpecifyingOutput(String transformName, PInput input, PTransform<?, ?> transform) {}
  }
}
