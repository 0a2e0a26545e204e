package dev.labelbeam.transforms;

import static dev.labelbeam.transforms.Preconditions.checkArgument;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.images.DecodeAndResize;
import dev.labelbeam.transforms.manifest.ManifestEntry;
import dev.labelbeam.transforms.manifest.ReadManifest;
import dev.labelbeam.transforms.shards.DatasetFiles;
import dev.labelbeam.transforms.shards.DatasetStats;
import dev.labelbeam.transforms.shards.SplitAssigner;
import dev.labelbeam.transforms.shards.WriteImageShards;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
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
 * The whole preprocess stage as one composite transform: manifest → decode/resize/encode →
 * TFRecord shards per split, plus {@code labels.txt}, {@code dataset.json} and
 * {@code dead_letter.jsonl} in the output folder.
 *
 * <pre>{@code
 * p.apply(PreprocessImages.fromCsvManifest("/data/manifest.csv").to("/data/shards").withShorterSide(64));
 * p.run().waitUntilFinish();
 * }</pre>
 *
 * <p>Every manifest line ends up either as a shard record or as a dead-letter line with its reason;
 * {@code dataset.json} records {@code inputRecords}, counted independently, so that
 * {@code inputRecords == sum(records) + sum(deadLetters)} can be checked.
 */
public final class PreprocessImages extends PTransform<PBegin, PCollection<DatasetInfo>> {
  private static final long serialVersionUID = 1L;

  /** Name of the dead-letter file in the output folder. */
  public static final String DEAD_LETTER_FILE = "dead_letter.jsonl";

  private final String manifest;
  private final String outputDir;
  private final LabelVocabulary vocabulary; // null: build from the data
  private final int shorterSide;
  private final int jpegQuality;
  private final double valFraction;
  private final double testFraction;
  private final String seed;
  private final Map<String, Integer> shards;

  private PreprocessImages(String manifest, String outputDir, LabelVocabulary vocabulary, int shorterSide,
      int jpegQuality, double valFraction, double testFraction, String seed, Map<String, Integer> shards) {
    this.manifest = manifest;
    this.outputDir = outputDir;
    this.vocabulary = vocabulary;
    this.shorterSide = shorterSide;
    this.jpegQuality = jpegQuality;
    this.valFraction = valFraction;
    this.testFraction = testFraction;
    this.seed = seed;
    this.shards = shards;
  }

  /** Reads a CSV manifest ({@code path,labels}, labels separated by {@code |}). */
  public static PreprocessImages fromCsvManifest(String manifest) {
    checkArgument(manifest != null && !manifest.isEmpty(), "manifest must be a path, was '%s'", manifest);
    Map<String, Integer> shards = new LinkedHashMap<>();
    shards.put(SplitAssigner.TRAIN, 4);
    shards.put(SplitAssigner.VAL, 1);
    shards.put(SplitAssigner.TEST, 1);
    return new PreprocessImages(manifest, null, null, 256, 90, 0.1, 0.0, "", shards);
  }

  /** The output folder for shards and side files. Required. */
  public PreprocessImages to(String dir) {
    checkArgument(dir != null && !dir.isEmpty(), "outputDir must be a folder, was '%s'", dir);
    return new PreprocessImages(manifest, dir, vocabulary, shorterSide, jpegQuality, valFraction, testFraction, seed, shards);
  }

  /** A fixed vocabulary; labels outside it are dead-lettered. Default: sorted labels of the data. */
  public PreprocessImages withVocabulary(LabelVocabulary v) {
    return new PreprocessImages(manifest, outputDir, v, shorterSide, jpegQuality, valFraction, testFraction, seed, shards);
  }

  /** Shorter side after resizing, in [8, 8192]; default 256. */
  public PreprocessImages withShorterSide(int pixels) {
    checkArgument(pixels >= 8 && pixels <= 8192, "shorterSide must be in [8, 8192], was %s", pixels);
    return new PreprocessImages(manifest, outputDir, vocabulary, pixels, jpegQuality, valFraction, testFraction, seed, shards);
  }

  /** JPEG quality in [1, 100]; default 90. */
  public PreprocessImages withJpegQuality(int q) {
    checkArgument(q >= 1 && q <= 100, "jpegQuality must be in [1, 100], was %s", q);
    return new PreprocessImages(manifest, outputDir, vocabulary, shorterSide, q, valFraction, testFraction, seed, shards);
  }

  /** Fractions of ids for val and test; default 0.1 and 0. */
  public PreprocessImages withSplit(double val, double test, String splitSeed) {
    new SplitAssigner(val, test, splitSeed);
    return new PreprocessImages(manifest, outputDir, vocabulary, shorterSide, jpegQuality, val, test, splitSeed, shards);
  }

  /** Number of shards of a split (train, val, test), in [1, 100000]; default 4, 1, 1. */
  public PreprocessImages withShards(String split, int n) {
    checkArgument(shards.containsKey(split), "split must be one of %s, was '%s'", shards.keySet(), split);
    checkArgument(n >= 1 && n <= 100_000, "numShards must be in [1, 100000], was %s", n);
    Map<String, Integer> s = new LinkedHashMap<>(shards);
    s.put(split, n);
    return new PreprocessImages(manifest, outputDir, vocabulary, shorterSide, jpegQuality, valFraction, testFraction, seed, s);
  }

  /** The options recorded in {@code dataset.json}. */
  public Map<String, String> recordedOptions() {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("manifest", manifest);
    o.put("shorterSide", Integer.toString(shorterSide));
    o.put("jpegQuality", Integer.toString(jpegQuality));
    o.put("valFraction", Double.toString(valFraction));
    o.put("testFraction", Double.toString(testFraction));
    o.put("splitSeed", seed);
    o.put("vocabulary", vocabulary == null ? "built from data" : "given (" + vocabulary.size() + " labels)");
    shards.forEach((k, v) -> o.put("shards." + k, Integer.toString(v)));
    return o;
  }

  @Override
  public PCollection<DatasetInfo> expand(PBegin begin) {
    checkArgument(outputDir != null, "outputDir must be set with to(dir)%s", "");
    PCollectionTuple manifestOut = begin.apply("ReadManifest", ReadManifest.csv(manifest));
    PCollection<ManifestEntry> entries = manifestOut.get(ReadManifest.ENTRIES);

    PCollection<LabelVocabulary> vocab =
        (vocabulary != null
                ? begin.apply("GivenVocabulary", Create.of(vocabulary))
                : entries
                    .apply("Labels", FlatMapElements.into(TypeDescriptors.strings()).via(ManifestEntry::labels))
                    .apply("SortedVocabulary", Combine.globally(new SortedVocabularyFn()).withoutDefaults()))
            .setCoder(SerializableCoder.of(LabelVocabulary.class));
    PCollectionView<LabelVocabulary> vocabView = vocab.apply("VocabularyView", View.asSingleton());

    PCollectionTuple decoded =
        entries.apply("DecodeAndResize",
            DecodeAndResize.with(vocabView).withShorterSide(shorterSide).withJpegQuality(jpegQuality));
    PCollection<ImageRecord> records = decoded.get(DecodeAndResize.RECORDS);

    WriteImageShards writer = WriteImageShards.to(outputDir).withSplit(valFraction, testFraction, seed);
    for (Map.Entry<String, Integer> e : shards.entrySet()) {
      writer = writer.withShards(e.getKey(), e.getValue());
    }
    List<String> splits = writer.activeSplits();
    WriteImageShards.Result written = records.apply("WriteShards", writer);

    PCollection<DeadLetter> deadLetters =
        PCollectionList.of(manifestOut.get(ReadManifest.DEAD_LETTERS))
            .and(decoded.get(DecodeAndResize.DEAD_LETTERS))
            .apply("AllDeadLetters", Flatten.pCollections());
    deadLetters
        .apply("DeadLetterJson", MapElements.into(TypeDescriptors.strings()).via(DeadLetter::toJson))
        .apply("WriteDeadLetters",
            TextIO.write().to(outputDir + "/" + DEAD_LETTER_FILE).withoutSharding());

    PCollectionView<Map<String, Long>> deadCounts =
        deadLetters
            .apply("Reasons", MapElements.into(TypeDescriptors.strings()).via(d -> d.reason().code()))
            .apply("CountReasons", Count.perElement())
            .apply("DeadCountsView", View.asMap());
    PCollectionView<Long> inputCount =
        PCollectionList.of(
                entries.apply("EntryIds", MapElements.into(TypeDescriptors.strings()).via(ManifestEntry::id)))
            .and(manifestOut.get(ReadManifest.DEAD_LETTERS)
                .apply("BadLineIds", MapElements.into(TypeDescriptors.strings()).via(DeadLetter::id)))
            .apply("AllInputs", Flatten.pCollections())
            .apply("CountInputs", Count.globally())
            .apply("InputCountView", View.asSingleton());
    PCollectionView<Map<String, Iterable<String>>> names =
        written.shardNames().apply("ShardNamesView", View.asMultimap());

    return written
        .stats()
        .apply("WriteDatasetFiles",
            ParDo.of(new WriteFilesFn(outputDir, splits, shorterSide, recordedOptions(), vocabView, names, deadCounts, inputCount))
                .withSideInputs(vocabView, names, deadCounts, inputCount))
        .setCoder(SerializableCoder.of(DatasetInfo.class));
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
        throw new IllegalStateException("the manifest names no labels: nothing to build a vocabulary from");
      }
      return new LabelVocabulary(new ArrayList<>(acc));
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<TreeSet<String>> getAccumulatorCoder(
        org.apache.beam.sdk.coders.CoderRegistry registry, org.apache.beam.sdk.coders.Coder<String> in) {
      @SuppressWarnings("unchecked")
      Class<TreeSet<String>> c = (Class<TreeSet<String>>) (Class<?>) TreeSet.class;
      return SerializableCoder.of(c);
    }
  }

  static final class WriteFilesFn extends DoFn<DatasetStats, DatasetInfo> {
    private static final long serialVersionUID = 1L;
    private final String outputDir;
    private final List<String> splits;
    private final int shorterSide;
    private final Map<String, String> options;
    private final PCollectionView<LabelVocabulary> vocab;
    private final PCollectionView<Map<String, Iterable<String>>> names;
    private final PCollectionView<Map<String, Long>> deadCounts;
    private final PCollectionView<Long> inputCount;

    WriteFilesFn(String outputDir, List<String> splits, int shorterSide, Map<String, String> options,
        PCollectionView<LabelVocabulary> vocab, PCollectionView<Map<String, Iterable<String>>> names,
        PCollectionView<Map<String, Long>> deadCounts, PCollectionView<Long> inputCount) {
      this.outputDir = outputDir;
      this.splits = new ArrayList<>(splits);
      this.shorterSide = shorterSide;
      this.options = new LinkedHashMap<>(options);
      this.vocab = vocab;
      this.names = names;
      this.deadCounts = deadCounts;
      this.inputCount = inputCount;
    }

    @ProcessElement
    public void process(@Element DatasetStats stats, OutputReceiver<DatasetInfo> out, ProcessContext c) {
      LabelVocabulary v = c.sideInput(vocab);
      DatasetInfo info = DatasetFiles.info(stats, v, splits, c.sideInput(names), c.sideInput(deadCounts),
          c.sideInput(inputCount), shorterSide, options);
      try {
        DatasetFiles.writeText(outputDir, LabelVocabulary.FILE_NAME, v.toText());
        DatasetFiles.writeText(outputDir, DatasetInfo.FILE_NAME, info.toJson());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write dataset files to " + outputDir, e);
      }
      out.output(info);
    }
  }
}
