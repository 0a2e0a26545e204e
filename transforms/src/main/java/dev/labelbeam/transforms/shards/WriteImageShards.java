package dev.labelbeam.transforms.shards;

import static dev.labelbeam.transforms.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.shard.ShardDigest;
import dev.labelbeam.shard.ShardFiles;
import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.errors.DeadLetterCoder;
import dev.labelbeam.transforms.images.ImageOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TFRecordIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Partition;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Writes {@link ImageRecord}s as a complete dataset: TFRecord shards of {@code tf.train.Example}s,
 * one set per split ({@code <split>-SSSSS-of-NNNNN.tfrecord}, or {@code .tfrecord.gz}), plus
 * {@code labels.txt}, {@code dead_letter.jsonl} and, last, {@code dataset.json}. The split of a
 * record comes from its id ({@link SplitAssigner}), so it does not depend on input order or runner.
 * The number of shards of a split is either fixed or derived from the data (total bytes / target
 * shard size, default 200 MiB); see {@link ShardOptions}.
 *
 * <p>Shards are written into a staging folder inside the output folder; {@link CommitDataset} moves
 * them into place once every shard and the dead letters are written, so a rerun into the same folder
 * never leaves a mix of old and new shards, and a pipeline that stops early leaves no
 * {@code dataset.json} that lists missing shards.
 *
 * <pre>{@code
 * WriteImageShards.Result r = records.apply(WriteImageShards.to("gs://bucket/shards")
 *     .withVocabulary(vocabularyView)                // required: labels.txt and the class count
 *     .withOptions(ShardOptions.defaults().withSplit(0.1, 0.0, "seed").withGzip(true))
 *     .withDeadLetters(deadLetters));                // optional: dead_letter.jsonl and the counts
 * PCollection<DatasetInfo> committed = r.datasetInfo();
 * }</pre>
 */
@AutoValue
public abstract class WriteImageShards extends PTransform<PCollection<ImageRecord>, WriteImageShards.Result> {
  private static final long serialVersionUID = 1L;

  /**
   * A run with more than this fraction of its input records dead-lettered is refused: a tenth of the
   * inputs failing is a mistake (a wrong folder, swapped columns), not bad luck.
   */
  public static final double DEFAULT_MAX_BAD_FRACTION = 0.1;

  /** Default target size of a shard, in MiB. */
  public static final int DEFAULT_SHARD_SIZE_MB = ShardOptions.DEFAULT_SHARD_SIZE_MB;

  /** The output folder, on any Beam filesystem. */
  public abstract String outputDir();

  /** How records are split and sharded. */
  public abstract ShardOptions options();

  /** The images' decoding options, recorded in {@code dataset.json} (image size and format). */
  public abstract ImageOptions imageOptions();

  abstract @Nullable PCollectionView<LabelVocabulary> vocabulary();

  abstract @Nullable PCollection<DeadLetter> deadLetters();

  abstract @Nullable PCollectionView<Long> inputCount();

  /** The fraction of dead-lettered inputs above which the dataset is refused. */
  public abstract double maxBadFraction();

  /** Options recorded in {@code dataset.json} besides the shard and image options. */
  public abstract Map<String, String> recordedOptions();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setOutputDir(String d);

    abstract Builder setOptions(ShardOptions o);

    abstract Builder setImageOptions(ImageOptions o);

    abstract Builder setVocabulary(PCollectionView<LabelVocabulary> v);

    abstract Builder setDeadLetters(PCollection<DeadLetter> d);

    abstract Builder setInputCount(PCollectionView<Long> c);

    abstract Builder setMaxBadFraction(double f);

    abstract Builder setRecordedOptions(Map<String, String> o);

    abstract WriteImageShards build();
  }

  /** A dataset in {@code outputDir} with {@link ShardOptions#defaults()}: 10% val, no test, ~200 MiB shards. */
  public static WriteImageShards to(String outputDir) {
    checkArgument(outputDir != null && !outputDir.isEmpty(), "outputDir must be a folder, was '%s'", outputDir);
    return new AutoValue_WriteImageShards.Builder().setOutputDir(outputDir).setOptions(ShardOptions.defaults())
        .setImageOptions(ImageOptions.defaults()).setMaxBadFraction(DEFAULT_MAX_BAD_FRACTION)
        .setRecordedOptions(Map.of()).build();
  }

  /** How to split and shard (fractions, seed, shard counts or size, gzip); default {@link ShardOptions#defaults()}. */
  public WriteImageShards withOptions(ShardOptions o) {
    checkArgument(o != null, "shard options must be set, was %s", o);
    return toBuilder().setOptions(o).build();
  }

  /** The options of the images' decoding, recorded in {@code dataset.json} (image size and format). */
  public WriteImageShards withImageOptions(ImageOptions o) {
    checkArgument(o != null, "image options must be set, was %s", o);
    return toBuilder().setImageOptions(o).build();
  }

  /** The vocabulary the records' label bits index (required): written as {@code labels.txt}. */
  public WriteImageShards withVocabulary(PCollectionView<LabelVocabulary> v) {
    checkArgument(v != null, "vocabulary must be a PCollectionView, was %s", v);
    return toBuilder().setVocabulary(v).build();
  }

  /**
   * The bad records of the steps before (optional): written to {@code dead_letter.jsonl} beside the
   * shards and counted per reason in {@code dataset.json}.
   */
  public WriteImageShards withDeadLetters(PCollection<DeadLetter> d) {
    checkArgument(d != null, "deadLetters must be a PCollection, was %s", d);
    return toBuilder().setDeadLetters(d).build();
  }

  /**
   * The number of input records, counted independently of the outputs (optional; default records
   * plus dead letters), so that {@code dataset.json}'s {@code inputRecords == sum(records) +
   * sum(deadLetters)} is a real check.
   */
  public WriteImageShards withInputCount(PCollectionView<Long> count) {
    checkArgument(count != null, "inputCount must be a PCollectionView, was %s", count);
    return toBuilder().setInputCount(count).build();
  }

  /**
   * Refuse the dataset when dead letters / input records exceed this fraction, in [0, 1]; default
   * {@value #DEFAULT_MAX_BAD_FRACTION}. A refused run writes {@code dataset.json} and the dead letters
   * into {@code refused/}, moves no shard in and fails the job.
   */
  public WriteImageShards withMaxBadFraction(double f) {
    checkArgument(f >= 0 && f <= 1, "maxBadFraction must be in [0, 1], was %s", f);
    return toBuilder().setMaxBadFraction(f).build();
  }

  /**
   * Options to record in {@code dataset.json} besides the shard and image options and the bad fraction,
   * which are recorded from this transform's own settings whatever the order of the calls (the manifest,
   * the vocabulary: what the steps before did).
   */
  public WriteImageShards withRecordedOptions(Map<String, String> o) {
    checkArgument(o != null, "recordedOptions must be set, was %s", o);
    return toBuilder().setRecordedOptions(Collections.unmodifiableMap(new TreeMap<>(o))).build();
  }

  /** The splits this writer produces: train, then val and test when their fraction is above 0. */
  public List<String> activeSplits() {
    return options().activeSplits();
  }

  /** What {@code dataset.json} records as the options that produced it. */
  Map<String, String> recorded() {
    Map<String, String> recorded = new TreeMap<>(recordedOptions());
    recorded.putAll(imageOptions().describe());
    recorded.putAll(options().describe());
    recorded.put("maxBadFraction", Double.toString(maxBadFraction()));
    return recorded;
  }

  @Override
  public Result expand(PCollection<ImageRecord> input) {
    checkArgument(vocabulary() != null, "WriteImageShards needs the vocabulary the label bits index: "
        + "withVocabulary(view)%s", "");
    ShardOptions options = options();
    ImageOptions images = imageOptions();
    Pipeline pipeline = input.getPipeline();
    String generation = ShardFiles.newGeneration();
    String outputDir = outputDir();
    String staging = outputDir + (outputDir.endsWith("/") ? "" : "/") + ".staging-" + generation;
    // no I/O while the graph is built (the client may not reach the bucket): the commit refuses a dataset
    // that another run committed into the folder after this moment
    long started = System.currentTimeMillis();
    List<String> active = options.activeSplits();
    PCollection<KV<String, ImageRecord>> keyed =
        input
            .apply("AssignSplit", MapElements.via(new AssignFn(options.assigner())))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), ImageRecordCoder.of()));

    PCollectionList<KV<String, ImageRecord>> parts =
        keyed.apply("PartitionBySplit", Partition.of(active.size(), new SplitIndexFn(active)));
    List<PCollection<KV<String, String>>> names = new ArrayList<>();
    for (int i = 0; i < active.size(); i++) {
      names.add(writeSplit(active.get(i), parts.get(i), staging, generation));
    }
    PCollection<KV<String, String>> shardNames =
        PCollectionList.of(names).apply("AllShardNames", Flatten.pCollections());

    PCollection<DatasetStats> stats =
        keyed
            .apply("SplitAndLabels",
                MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(byte[].class)))
                    .via(kv -> KV.of(kv.getKey(), kv.getValue().labelBits())))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()))
            .apply("DatasetStats", Combine.globally(new StatsFn()))
            .setCoder(DatasetStats.coder());

    PCollection<DeadLetter> dead = deadLetters() != null
        ? deadLetters()
        : pipeline.apply("NoDeadLetters", Create.empty(DeadLetterCoder.of()));
    PCollection<String> deadLetterFile = dead
        .apply("DeadLetterJson", MapElements.into(TypeDescriptors.strings()).via(DeadLetter::toJson))
        .apply("WriteDeadLetters", TextIO.write().to(staging + "/" + DatasetFiles.DEAD_LETTER_FILE).withoutSharding()
            .withOutputFilenames())
        .getPerDestinationOutputFilenames()
        .apply("DeadLetterFileName", MapElements.into(TypeDescriptors.strings()).via(KV::getValue));
    PCollectionView<Map<String, Long>> deadCounts = dead
        .apply("Reasons", MapElements.into(TypeDescriptors.strings()).via(d -> d.reason().code()))
        .apply("CountReasons", Count.perElement())
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
        .apply("DeadCountsView", View.asMap());
    PCollectionView<Map<String, Iterable<String>>> namesView = shardNames.apply("ShardNamesView", View.asMultimap());
    // each staged shard read back once, in parallel: its records, size and SHA-256 go into dataset.json
    PCollection<KV<String, ShardDigest>> digests = shardNames
        .apply("DigestShards", ParDo.of(new DigestFn(staging)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), dev.labelbeam.transforms.coders.ShardDigestCoder.of()));
    PCollectionView<Map<String, ShardDigest>> digestsView = digests.apply("DigestsView", View.asMap());

    DatasetFiles.Layout layout = new DatasetFiles.Layout(active, images.resize().height, images.resize().width,
        images.outputFormat().name, images.resize().toString(), recorded());
    CommitDataset commit = new CommitDataset(
        new CommitDataset.Target(outputDir, staging, generation, started, layout, maxBadFraction()),
        new CommitDataset.Views(vocabulary(), namesView, digestsView, deadCounts, inputCount()),
        List.of(shardNames, digests, deadLetterFile));
    PCollection<DatasetInfo> info = stats.apply("CommitDataset", commit);
    return new Result(pipeline, shardNames, stats, info);
  }

  private PCollection<KV<String, String>> writeSplit(String split, PCollection<KV<String, ImageRecord>> part,
      String staging, String generation) {
    PCollection<byte[]> bytes = part
        .apply("ToExampleBytes-" + split, MapElements.into(TypeDescriptor.of(byte[].class)).via(kv -> kv.getValue().toBytes()))
        .setCoder(ByteArrayCoder.of());
    FileIO.Write<Void, byte[]> write = FileIO.<byte[]>write()
        .via(TFRecordIO.sink())
        .to(staging)
        .withPrefix(ShardFiles.prefix(split, generation))
        .withSuffix(".tfrecord") // FileIO appends ".gz" itself when compressing
        .withCompression(options().gzip() ? Compression.GZIP : Compression.UNCOMPRESSED);
    int fixed = options().fixedShards(split);
    write = fixed > 0 ? write.withNumShards(fixed) : write.withSharding(new ShardsBySize(options().shardSizeMb()));
    WriteFilesResult<Void> written = bytes.apply("WriteTFRecords-" + split, write);
    return written
        .getPerDestinationOutputFilenames()
        .apply("NameShards-" + split,
            MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
                .via(kv -> KV.of(split, baseName(kv.getValue()))));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    ShardOptions d = ShardOptions.defaults();
    builder.add(DisplayData.item("imageSize", imageOptions().resize().toString()).withLabel("Image size"))
        .add(DisplayData.item("outputDir", outputDir()).withLabel("Output folder"))
        .addIfNotDefault(DisplayData.item("valFraction", options().valFraction()).withLabel("Val fraction"), d.valFraction())
        .addIfNotDefault(DisplayData.item("testFraction", options().testFraction()).withLabel("Test fraction"), d.testFraction())
        .addIfNotDefault(DisplayData.item("splitSeed", options().splitSeed()).withLabel("Split seed"), d.splitSeed())
        .addIfNotDefault(DisplayData.item("trainShards", options().trainShards()).withLabel("Train shards"), 0)
        .addIfNotDefault(DisplayData.item("valShards", options().valShards()).withLabel("Val shards"), 0)
        .addIfNotDefault(DisplayData.item("testShards", options().testShards()).withLabel("Test shards"), 0)
        .addIfNotDefault(DisplayData.item("shardSizeMb", options().shardSizeMb()).withLabel("Shard size (MiB)"),
            d.shardSizeMb())
        .addIfNotDefault(DisplayData.item("gzip", options().gzip()).withLabel("Gzip"), false)
        .addIfNotDefault(DisplayData.item("maxBadFraction", maxBadFraction()).withLabel("Max bad fraction"), DEFAULT_MAX_BAD_FRACTION)
        .addIfNotDefault(DisplayData.item("recordedOptions", recordedOptions().toString())
            .withLabel("Also recorded in dataset.json"), "{}");
  }

  /** A staged shard's records, size and SHA-256, read back from the staging folder. */
  static final class DigestFn extends DoFn<KV<String, String>, KV<String, ShardDigest>> {
    private static final long serialVersionUID = 1L;
    private final String staging;

    DigestFn(String staging) {
      this.staging = staging;
    }

    @ProcessElement
    public void process(@Element KV<String, String> splitAndName, OutputReceiver<KV<String, ShardDigest>> out)
        throws IOException {
      String name = splitAndName.getValue();
      BeamStorage storage = BeamStorage.create();
      out.output(KV.of(name, ShardDigest.of(storage.open(storage.resolve(staging, name)), name)));
    }
  }

  static String baseName(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  /** The number of shards of a split: its total bytes over the target size, at least 1. */
  static final class ShardsBySize extends PTransform<PCollection<byte[]>, PCollectionView<Integer>> {
    private static final long serialVersionUID = 1L;
    private final int shardSizeMb;

    ShardsBySize(int shardSizeMb) {
      this.shardSizeMb = shardSizeMb;
    }

    @Override
    public PCollectionView<Integer> expand(PCollection<byte[]> input) {
      long target = shardSizeMb * (1L << 20);
      return input
          .apply("Sizes", MapElements.into(TypeDescriptors.longs()).via(b -> (long) b.length + 16))
          .apply("TotalBytes", Sum.longsGlobally())
          .apply("ShardCount", MapElements.into(TypeDescriptors.integers())
              .via(total -> (int) Math.max(1, Math.min(100_000, (total + target - 1) / target))))
          .apply("ShardCountView", View.asSingleton());
    }
  }

  static final class AssignFn extends SimpleFunction<ImageRecord, KV<String, ImageRecord>> {
    private static final long serialVersionUID = 1L;
    private final SplitAssigner assigner;

    AssignFn(SplitAssigner assigner) {
      this.assigner = assigner;
    }

    @Override
    public KV<String, ImageRecord> apply(ImageRecord r) {
      return KV.of(assigner.assign(r.id()), r);
    }
  }

  static final class SplitIndexFn implements Partition.PartitionFn<KV<String, ImageRecord>> {
    private static final long serialVersionUID = 1L;
    private final List<String> splits;

    SplitIndexFn(List<String> splits) {
      this.splits = new ArrayList<>(splits);
    }

    @Override
    public int partitionFor(KV<String, ImageRecord> elem, int numPartitions) {
      return splits.indexOf(elem.getKey());
    }
  }

  static final class StatsFn extends Combine.CombineFn<KV<String, byte[]>, DatasetStats, DatasetStats> {
    private static final long serialVersionUID = 1L;

    @Override
    public DatasetStats createAccumulator() {
      return new DatasetStats();
    }

    @Override
    public DatasetStats addInput(DatasetStats acc, KV<String, byte[]> in) {
      return acc.add(in.getKey(), in.getValue());
    }

    @Override
    public DatasetStats mergeAccumulators(Iterable<DatasetStats> accs) {
      DatasetStats out = new DatasetStats();
      for (DatasetStats a : accs) {
        out.merge(a);
      }
      return out;
    }

    @Override
    public DatasetStats extractOutput(DatasetStats acc) {
      return acc;
    }
  }

  /** What the writer produced: shard file names per split, the dataset statistics, the committed dataset. */
  public static final class Result implements POutput {
    private final Pipeline pipeline;
    private final PCollection<KV<String, String>> shardNames;
    private final PCollection<DatasetStats> stats;
    private final PCollection<DatasetInfo> datasetInfo;

    Result(Pipeline p, PCollection<KV<String, String>> shardNames, PCollection<DatasetStats> stats,
        PCollection<DatasetInfo> datasetInfo) {
      this.pipeline = p;
      this.shardNames = shardNames;
      this.stats = stats;
      this.datasetInfo = datasetInfo;
    }

    /**
     * (split, staged shard file base name) for every shard written. The commit may renumber them
     * ({@code -00000-of-N} with N the shards a split really has): {@link #datasetInfo()} lists the names
     * in the folder.
     */
    public PCollection<KV<String, String>> shardNames() {
      return shardNames;
    }

    /** A single {@link DatasetStats} element: records per split, positives per class. */
    public PCollection<DatasetStats> stats() {
      return stats;
    }

    /** A single element, the {@code dataset.json} written once the dataset is committed. */
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
      m.put(new TupleTag<KV<String, String>>("shardNames"), shardNames);
      m.put(new TupleTag<DatasetStats>("stats"), stats);
      m.put(new TupleTag<DatasetInfo>("datasetInfo"), datasetInfo);
      return m;
    }

    @Override
    public void finishSpecifyingOutput(String transformName, PInput input, PTransform<?, ?> transform) {}
  }
}
