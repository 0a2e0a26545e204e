package dev.labelbeam.transforms;

import static dev.labelbeam.transforms.Preconditions.checkArgument;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.images.DecodeAndResize;
import dev.labelbeam.transforms.images.DecodeAndResize.UnknownLabels;
import dev.labelbeam.transforms.images.ImageResizer;
import dev.labelbeam.transforms.images.ResizeSpec;
import dev.labelbeam.transforms.manifest.DeduplicateIds;
import dev.labelbeam.transforms.manifest.ManifestEntry;
import dev.labelbeam.transforms.manifest.ReadImageFolder;
import dev.labelbeam.transforms.manifest.ReadManifest;
import dev.labelbeam.transforms.shards.DatasetFiles;
import dev.labelbeam.transforms.shards.DatasetStats;
import dev.labelbeam.transforms.shards.SplitAssigner;
import dev.labelbeam.transforms.shards.WriteImageShards;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The whole preprocess stage as one composite transform: a manifest (CSV or JSON Lines) or an
 * image-folder tree → one entry per id → decode/resize/encode → TFRecord shards per split, plus
 * {@code labels.txt}, {@code dataset.json} and {@code dead_letter.jsonl} in the output folder.
 *
 * <pre>{@code
 * p.apply(PreprocessImages.fromManifest("gs://bucket/manifest.jsonl").to("gs://bucket/shards")
 *     .withResize(ResizeSpec.shorterSide(256)).withShardSizeMb(200).withSplit(0.05, 0.05, ""));
 * p.run().waitUntilFinish();
 * }</pre>
 *
 * <p>Every input record ends up either as a shard record or as a dead-letter line with its reason;
 * {@code dataset.json} records {@code inputRecords}, counted independently, so that
 * {@code inputRecords == sum(records) + sum(deadLetters)} can be checked. Shards are staged and moved
 * into place at the end, {@code dataset.json} written last, so a rerun into the same folder never
 * leaves a mix of old and new shards. With {@link #withMaxBadFraction} the job fails (after writing
 * {@code dataset.json} and the dead letters, without moving shards in) when too many records are bad.
 */
public final class PreprocessImages extends PTransform<PBegin, PCollection<DatasetInfo>> {
  private static final long serialVersionUID = 1L;

  /** Name of the dead-letter file in the output folder. */
  public static final String DEAD_LETTER_FILE = "dead_letter.jsonl";

  /** Everything a run is configured with; copied by each {@code withX}. */
  private static final class Config implements Serializable, Cloneable {
    private static final long serialVersionUID = 1L;
    String manifest;
    String imageFolder;
    String outputDir;
    LabelVocabulary vocabulary;
    UnknownLabels unknownLabels = UnknownLabels.DEAD_LETTER;
    int minLabelCount = 1;
    ResizeSpec resize = ResizeSpec.shorterSide(256);
    ImageResizer.Output output = ImageResizer.Output.JPEG;
    int jpegQuality = 90;
    long maxPixels = ImageResizer.DEFAULT_MAX_PIXELS;
    long maxFileBytes = DecodeAndResize.DEFAULT_MAX_FILE_BYTES;
    double valFraction = 0.1;
    double testFraction = 0.0;
    String seed = "";
    Map<String, Integer> shards = new LinkedHashMap<>(Map.of("train", 0, "val", 0, "test", 0));
    int shardSizeMb = WriteImageShards.DEFAULT_SHARD_SIZE_MB;
    boolean gzip;
    double maxBadFraction = 1.0;

    Config copy() {
      try {
        Config c = (Config) super.clone();
        c.shards = new LinkedHashMap<>(shards);
        return c;
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private final Config c;

  private PreprocessImages(Config c) {
    this.c = c;
  }

  private PreprocessImages with(java.util.function.Consumer<Config> change) {
    Config n = c.copy();
    change.accept(n);
    return new PreprocessImages(n);
  }

  /** A manifest, CSV or JSON Lines by its extension (see {@link ReadManifest#from}). */
  public static PreprocessImages fromManifest(String manifest) {
    checkArgument(manifest != null && !manifest.isEmpty(), "manifest must be a path, was '%s'", manifest);
    Config c = new Config();
    c.manifest = manifest;
    return new PreprocessImages(c);
  }

  /** A CSV manifest ({@code path,labels}, labels separated by {@code |}). */
  public static PreprocessImages fromCsvManifest(String manifest) {
    return fromManifest(manifest);
  }

  /** An image-folder tree: each file's labels are the folder names on its path (see {@link ReadImageFolder}). */
  public static PreprocessImages fromImageFolder(String root) {
    checkArgument(root != null && !root.isEmpty(), "imageFolder must be a folder, was '%s'", root);
    Config c = new Config();
    c.imageFolder = root;
    return new PreprocessImages(c);
  }

  /** The output folder for shards and side files. Required. */
  public PreprocessImages to(String dir) {
    checkArgument(dir != null && !dir.isEmpty(), "outputDir must be a folder, was '%s'", dir);
    return with(n -> n.outputDir = dir);
  }

  /** A fixed vocabulary; labels outside it are dead-lettered (or fail the job, see {@link #withUnknownLabels}). */
  public PreprocessImages withVocabulary(LabelVocabulary v) {
    return with(n -> n.vocabulary = v);
  }

  /** With a given vocabulary: dead-letter (default) or fail on a label outside it. */
  public PreprocessImages withUnknownLabels(UnknownLabels policy) {
    checkArgument(policy == UnknownLabels.DEAD_LETTER || policy == UnknownLabels.FAIL,
        "unknownLabels must be DEAD_LETTER or FAIL, was %s", policy);
    return with(n -> n.unknownLabels = policy);
  }

  /** With a vocabulary built from the data: keep labels seen at least this often (>= 1, default 1); rarer labels are dropped from the images. */
  public PreprocessImages withMinLabelCount(int count) {
    checkArgument(count >= 1, "minLabelCount must be >= 1, was %s", count);
    return with(n -> n.minLabelCount = count);
  }

  /** How to resize; default shorter side to 256. */
  public PreprocessImages withResize(ResizeSpec r) {
    checkArgument(r != null, "resize must be set, was %s", r);
    return with(n -> n.resize = r);
  }

  /** Shorter side after resizing, in [8, 8192]. */
  public PreprocessImages withShorterSide(int pixels) {
    checkArgument(pixels >= 8 && pixels <= 8192, "shorterSide must be in [8, 8192], was %s", pixels);
    return withResize(ResizeSpec.shorterSide(pixels));
  }

  /** Output encoding: jpeg (default), png or raw RGB. */
  public PreprocessImages withOutput(ImageResizer.Output o) {
    return with(n -> n.output = o);
  }

  /** JPEG quality in [1, 100]; default 90. */
  public PreprocessImages withJpegQuality(int q) {
    checkArgument(q >= 1 && q <= 100, "jpegQuality must be in [1, 100], was %s", q);
    return with(n -> n.jpegQuality = q);
  }

  /** Images whose header declares more pixels are dead-lettered before decoding; default 100M. */
  public PreprocessImages withMaxPixels(long pixels) {
    checkArgument(pixels >= 1, "maxPixels must be >= 1, was %s", pixels);
    return with(n -> n.maxPixels = pixels);
  }

  /** Larger files are dead-lettered unread; default 64 MB. */
  public PreprocessImages withMaxFileBytes(long bytes) {
    checkArgument(bytes >= 1, "maxFileBytes must be >= 1, was %s", bytes);
    return with(n -> n.maxFileBytes = bytes);
  }

  /** Fractions of ids for val and test, each in [0, 1), sum below 1; default 0.1 and 0. */
  public PreprocessImages withSplit(double val, double test, String splitSeed) {
    new SplitAssigner(val, test, splitSeed);
    return with(n -> {
      n.valFraction = val;
      n.testFraction = test;
      n.seed = splitSeed == null ? "" : splitSeed;
    });
  }

  /** A fixed number of shards for a split (train, val, test), in [1, 100000]; default: by size. */
  public PreprocessImages withShards(String split, int count) {
    checkArgument(c.shards.containsKey(split), "split must be one of %s, was '%s'", c.shards.keySet(), split);
    checkArgument(count >= 1 && count <= 100_000, "numShards must be in [1, 100000], was %s", count);
    return with(n -> n.shards.put(split, count));
  }

  /** Target shard size in MB for splits without a fixed count, in [1, 100000]; default 200. */
  public PreprocessImages withShardSizeMb(int mb) {
    checkArgument(mb >= 1 && mb <= 100_000, "shardSizeMb must be in [1, 100000], was %s", mb);
    return with(n -> n.shardSizeMb = mb);
  }

  /** Gzip the shards. */
  public PreprocessImages withGzip(boolean on) {
    return with(n -> n.gzip = on);
  }

  /** Fail the job when dead-lettered / input exceeds this fraction, in [0, 1]; default 1 (report, never fail). */
  public PreprocessImages withMaxBadFraction(double f) {
    checkArgument(f >= 0 && f <= 1, "maxBadFraction must be in [0, 1], was %s", f);
    return with(n -> n.maxBadFraction = f);
  }

  /** The options recorded in {@code dataset.json}. */
  public Map<String, String> recordedOptions() {
    Map<String, String> o = new LinkedHashMap<>();
    o.put(c.manifest != null ? "manifest" : "imageFolder", c.manifest != null ? c.manifest : c.imageFolder);
    o.put("resize", c.resize.toString());
    o.put("output", c.output.name);
    o.put("jpegQuality", Integer.toString(c.jpegQuality));
    o.put("maxPixels", Long.toString(c.maxPixels));
    o.put("maxFileBytes", Long.toString(c.maxFileBytes));
    o.put("valFraction", Double.toString(c.valFraction));
    o.put("testFraction", Double.toString(c.testFraction));
    o.put("splitSeed", c.seed);
    o.put("vocabulary", c.vocabulary == null
        ? "built from data, minLabelCount " + c.minLabelCount
        : "given (" + c.vocabulary.size() + " labels), unknown labels " + c.unknownLabels.name().toLowerCase(Locale.ROOT));
    c.shards.forEach((k, v) -> o.put("shards." + k, v == 0 ? "by size, " + c.shardSizeMb + " MB" : Integer.toString(v)));
    o.put("gzip", Boolean.toString(c.gzip));
    o.put("maxBadFraction", Double.toString(c.maxBadFraction));
    return o;
  }

  @Override
  public PCollection<DatasetInfo> expand(PBegin begin) {
    checkArgument(c.outputDir != null, "outputDir must be set with to(dir)%s", "");
    // 1. entries, and bad manifest lines
    PCollection<ManifestEntry> entries;
    PCollection<DeadLetter> badLines;
    if (c.manifest != null) {
      PCollectionTuple m = begin.apply("ReadManifest", ReadManifest.from(c.manifest));
      entries = m.get(ReadManifest.ENTRIES);
      badLines = m.get(ReadManifest.DEAD_LETTERS);
    } else {
      entries = begin.apply("ReadImageFolder", ReadImageFolder.from(c.imageFolder));
      badLines = begin.apply("NoBadLines", Create.empty(dev.labelbeam.transforms.errors.DeadLetterCoder.of()));
    }
    PCollectionView<Long> inputCount =
        PCollectionList.of(entries.apply("EntryIds", MapElements.into(TypeDescriptors.strings()).via(ManifestEntry::id)))
            .and(badLines.apply("BadLineIds", MapElements.into(TypeDescriptors.strings()).via(DeadLetter::id)))
            .apply("AllInputs", Flatten.pCollections())
            .apply("CountInputs", Count.globally())
            .apply("InputCountView", View.asSingleton());
    PCollectionTuple unique = entries.apply("DeduplicateIds", DeduplicateIds.create());
    PCollection<ManifestEntry> kept = unique.get(DeduplicateIds.UNIQUE);

    // 2. the vocabulary
    PCollection<LabelVocabulary> vocab =
        (c.vocabulary != null
                ? begin.apply("GivenVocabulary", Create.of(c.vocabulary))
                : kept.apply("Labels", FlatMapElements.into(TypeDescriptors.strings()).via(ManifestEntry::labels))
                    .apply("CountLabels", Count.perElement())
                    .apply("FrequentLabels", Filter.by(new AtLeast(c.minLabelCount)))
                    .apply("LabelNames", MapElements.into(TypeDescriptors.strings()).via(KV::getKey))
                    .apply("SortedVocabulary", Combine.globally(new SortedVocabularyFn()).withoutDefaults()))
            .setCoder(SerializableCoder.of(LabelVocabulary.class));
    PCollectionView<LabelVocabulary> vocabView = vocab.apply("VocabularyView", View.asSingleton());

    // 3. decode, resize, encode
    PCollectionTuple decoded = kept.apply("DecodeAndResize", DecodeAndResize.with(vocabView)
        .withResize(c.resize).withOutput(c.output).withJpegQuality(c.jpegQuality)
        .withMaxPixels(c.maxPixels).withMaxFileBytes(c.maxFileBytes)
        .withUnknownLabels(c.vocabulary != null ? c.unknownLabels : UnknownLabels.DROP));
    PCollection<ImageRecord> records = decoded.get(DecodeAndResize.RECORDS);

    // 4. shards into a staging folder
    WriteImageShards writer = WriteImageShards.to(c.outputDir).withSplit(c.valFraction, c.testFraction, c.seed)
        .withShardSizeMb(c.shardSizeMb).withGzip(c.gzip);
    for (Map.Entry<String, Integer> e : c.shards.entrySet()) {
      if (e.getValue() > 0) {
        writer = writer.withShards(e.getKey(), e.getValue());
      }
    }
    WriteImageShards.Result written = records.apply("WriteShards", writer);

    // 5. dead letters, staged beside the shards
    PCollection<DeadLetter> deadLetters =
        PCollectionList.of(badLines).and(unique.get(DeduplicateIds.DEAD_LETTERS)).and(decoded.get(DecodeAndResize.DEAD_LETTERS))
            .apply("AllDeadLetters", Flatten.pCollections());
    PCollectionView<List<String>> deadLetterFile = deadLetters
        .apply("DeadLetterJson", MapElements.into(TypeDescriptors.strings()).via(DeadLetter::toJson))
        .apply("WriteDeadLetters", TextIO.write().to(written.stagingDir() + "/" + DEAD_LETTER_FILE).withoutSharding()
            .withOutputFilenames())
        .getPerDestinationOutputFilenames()
        .apply("DeadLetterFileName", MapElements.into(TypeDescriptors.strings()).via(KV::getValue))
        .apply("DeadLetterFileView", View.asList());
    PCollectionView<Map<String, Long>> deadCounts =
        deadLetters
            .apply("Reasons", MapElements.into(TypeDescriptors.strings()).via(d -> d.reason().code()))
            .apply("CountReasons", Count.perElement())
            .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
            .apply("DeadCountsView", View.asMap());
    PCollectionView<Map<String, Iterable<String>>> names =
        written.shardNames().apply("ShardNamesView", View.asMultimap());

    // 6. dataset.json, labels.txt, and the move into place
    DatasetFiles.Settings settings = new DatasetFiles.Settings();
    settings.splits = writer.activeSplits();
    settings.imageHeight = c.resize.height;
    settings.imageWidth = c.resize.width;
    settings.imageFormat = c.output.name;
    settings.resize = c.resize.toString();
    settings.options = new java.util.TreeMap<>(recordedOptions());
    return written
        .stats()
        .apply("CommitDataset",
            ParDo.of(new CommitFn(c.outputDir, written.stagingDir(), settings, c.maxBadFraction, vocabView, names,
                    deadCounts, inputCount, deadLetterFile))
                .withSideInputs(vocabView, names, deadCounts, inputCount, deadLetterFile))
        .setCoder(SerializableCoder.of(DatasetInfo.class));
  }

  static final class AtLeast implements org.apache.beam.sdk.transforms.SerializableFunction<KV<String, Long>, Boolean> {
    private static final long serialVersionUID = 1L;
    private final long min;

    AtLeast(long min) {
      this.min = min;
    }

    @Override
    public Boolean apply(KV<String, Long> kv) {
      return kv.getValue() >= min;
    }
  }

  /** Sorted distinct labels of the data. */
  static final class SortedVocabularyFn extends Combine.CombineFn<String, TreeSet<String>, LabelVocabulary> {
    private static final long serialVersionUID = 1L;

    @Override
    public TreeSet<String> createAccumulator() {
      return new TreeSet<>();
    }

    @Override
    public TreeSet<String> addInput(TreeSet<String> acc, String label) {
      acc.add(label);
      return acc;
    }

    @Override
    public TreeSet<String> mergeAccumulators(Iterable<TreeSet<String>> accs) {
      TreeSet<String> out = new TreeSet<>();
      accs.forEach(out::addAll);
      return out;
    }

    @Override
    public LabelVocabulary extractOutput(TreeSet<String> acc) {
      if (acc.isEmpty()) {
        throw new IllegalStateException("no label occurs often enough to build a vocabulary from the data");
      }
      return new LabelVocabulary(new ArrayList<>(acc));
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<TreeSet<String>> getAccumulatorCoder(
        org.apache.beam.sdk.coders.CoderRegistry registry, org.apache.beam.sdk.coders.Coder<String> in) {
      @SuppressWarnings("unchecked")
      Class<TreeSet<String>> cls = (Class<TreeSet<String>>) (Class<?>) TreeSet.class;
      return SerializableCoder.of(cls);
    }
  }

  static final class CommitFn extends DoFn<DatasetStats, DatasetInfo> {
    private static final long serialVersionUID = 1L;
    private final String outputDir;
    private final String stagingDir;
    private final DatasetFiles.Settings settings;
    private final double maxBadFraction;
    private final PCollectionView<LabelVocabulary> vocab;
    private final PCollectionView<Map<String, Iterable<String>>> names;
    private final PCollectionView<Map<String, Long>> deadCounts;
    private final PCollectionView<Long> inputCount;
    private final PCollectionView<List<String>> deadLetterFile;

    CommitFn(String outputDir, String stagingDir, DatasetFiles.Settings settings, double maxBadFraction,
        PCollectionView<LabelVocabulary> vocab, PCollectionView<Map<String, Iterable<String>>> names,
        PCollectionView<Map<String, Long>> deadCounts, PCollectionView<Long> inputCount,
        PCollectionView<List<String>> deadLetterFile) {
      this.outputDir = outputDir;
      this.stagingDir = stagingDir;
      this.settings = settings;
      this.maxBadFraction = maxBadFraction;
      this.vocab = vocab;
      this.names = names;
      this.deadCounts = deadCounts;
      this.inputCount = inputCount;
      this.deadLetterFile = deadLetterFile;
    }

    @ProcessElement
    public void process(@Element DatasetStats stats, OutputReceiver<DatasetInfo> out, ProcessContext ctx) {
      LabelVocabulary v = ctx.sideInput(vocab);
      ctx.sideInput(deadLetterFile); // the dead letters are written
      DatasetInfo info = DatasetFiles.info(stats, v, settings, ctx.sideInput(names), ctx.sideInput(deadCounts),
          ctx.sideInput(inputCount));
      long dead = info.deadLetters.values().stream().mapToLong(Long::longValue).sum();
      try {
        if (info.inputRecords > 0 && (double) dead / info.inputRecords > maxBadFraction) {
          DatasetFiles.writeText(outputDir, DatasetInfo.FILE_NAME, info.toJson());
          org.apache.beam.sdk.io.FileSystems.rename(
              List.of(org.apache.beam.sdk.io.FileSystems.matchNewResource(stagingDir + "/" + DEAD_LETTER_FILE, false)),
              List.of(org.apache.beam.sdk.io.FileSystems.matchNewResource(outputDir + "/" + DEAD_LETTER_FILE, false)));
          DatasetFiles.deleteFolder(stagingDir);
          throw new IllegalStateException(String.format(Locale.ROOT,
              "%d of %d input records (%.2f%%) were dead-lettered %s, more than the allowed %.2f%%; no shards were "
                  + "written. See %s/%s", dead, info.inputRecords, 100.0 * dead / info.inputRecords, info.deadLetters,
              100 * maxBadFraction, outputDir, DEAD_LETTER_FILE));
        }
        DatasetFiles.commit(outputDir, stagingDir, info, v, List.of(DEAD_LETTER_FILE));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot commit the dataset to " + outputDir, e);
      }
      out.output(info);
    }
  }
}
