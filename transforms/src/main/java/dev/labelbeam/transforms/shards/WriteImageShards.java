package dev.labelbeam.transforms.shards;

import static dev.labelbeam.transforms.Preconditions.checkArgument;

import dev.labelbeam.shard.ImageRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TFRecordIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Partition;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.View;
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

/**
 * Writes {@link ImageRecord}s as TFRecord shards of {@code tf.train.Example}s, one set per split:
 * {@code <split>-SSSSS-of-NNNNN.tfrecord} (or {@code .tfrecord.gz}). The split of a record comes from
 * its id ({@link SplitAssigner}), so it does not depend on input order or runner. The number of
 * shards of a split is either fixed or derived from the data: total bytes / target shard size
 * (default 200 MB); records are spread over the shards evenly by the writer.
 *
 * <p>Shards are written into a staging folder ({@link Result#stagingDir()}); {@link DatasetFiles}
 * moves them into place once every shard exists, so a rerun into the same folder never leaves a mix
 * of old and new shards.
 *
 * <pre>{@code
 * WriteImageShards.Result r = records.apply(
 *     WriteImageShards.to("/out").withSplit(0.1, 0.0, "seed").withShardSizeMb(200).withGzip(true));
 * }</pre>
 */
public final class WriteImageShards extends PTransform<PCollection<ImageRecord>, WriteImageShards.Result> {
  private static final long serialVersionUID = 1L;

  /** Default target size of a shard. */
  public static final int DEFAULT_SHARD_SIZE_MB = 200;

  private final String outputDir;
  private final double valFraction;
  private final double testFraction;
  private final String seed;
  /** Fixed shard counts per split; 0 means derived from the target size. */
  private final Map<String, Integer> shards;
  private final int shardSizeMb;
  private final boolean gzip;

  private WriteImageShards(String outputDir, double val, double test, String seed, Map<String, Integer> shards,
      int shardSizeMb, boolean gzip) {
    new SplitAssigner(val, test, seed); // validates the fractions
    this.outputDir = outputDir;
    this.valFraction = val;
    this.testFraction = test;
    this.seed = seed;
    this.shards = shards;
    this.shardSizeMb = shardSizeMb;
    this.gzip = gzip;
  }

  /** Shards into {@code outputDir}; by default 10% val, no test, shards of about 200 MB, no gzip. */
  public static WriteImageShards to(String outputDir) {
    checkArgument(outputDir != null && !outputDir.isEmpty(), "outputDir must be a folder, was '%s'", outputDir);
    Map<String, Integer> shards = new LinkedHashMap<>();
    shards.put(SplitAssigner.TRAIN, 0);
    shards.put(SplitAssigner.VAL, 0);
    shards.put(SplitAssigner.TEST, 0);
    return new WriteImageShards(outputDir, 0.1, 0.0, "", shards, DEFAULT_SHARD_SIZE_MB, false);
  }

  /**
   * Fractions of ids sent to val and test (by hash of the id with {@code seed}); each in [0, 1),
   * their sum below 1.
   */
  public WriteImageShards withSplit(double valFraction, double testFraction, String seed) {
    return new WriteImageShards(outputDir, valFraction, testFraction, seed, shards, shardSizeMb, gzip);
  }

  /** A fixed number of shards for one split (train, val or test), in [1, 100000]. */
  public WriteImageShards withShards(String split, int numShards) {
    checkArgument(shards.containsKey(split), "split must be one of %s, was '%s'", shards.keySet(), split);
    checkArgument(numShards >= 1 && numShards <= 100_000, "numShards must be in [1, 100000], was %s", numShards);
    Map<String, Integer> s = new LinkedHashMap<>(shards);
    s.put(split, numShards);
    return new WriteImageShards(outputDir, valFraction, testFraction, seed, s, shardSizeMb, gzip);
  }

  /** Target shard size in MB for splits without a fixed count, in [1, 100000]; default 200. */
  public WriteImageShards withShardSizeMb(int mb) {
    checkArgument(mb >= 1 && mb <= 100_000, "shardSizeMb must be in [1, 100000], was %s", mb);
    return new WriteImageShards(outputDir, valFraction, testFraction, seed, shards, mb, gzip);
  }

  /** Gzip the shards ({@code .tfrecord.gz}); TensorFlow reads them with {@code compression_type="GZIP"}. */
  public WriteImageShards withGzip(boolean on) {
    return new WriteImageShards(outputDir, valFraction, testFraction, seed, shards, shardSizeMb, on);
  }

  /** The splits this writer produces: train, then val and test when their fraction is above 0. */
  public List<String> activeSplits() {
    List<String> out = new ArrayList<>();
    out.add(SplitAssigner.TRAIN);
    if (valFraction > 0) {
      out.add(SplitAssigner.VAL);
    }
    if (testFraction > 0) {
      out.add(SplitAssigner.TEST);
    }
    return out;
  }

  /** The staging folder of this writer inside the output folder. */
  public String stagingDir(String token) {
    return outputDir + (outputDir.endsWith("/") ? "" : "/") + ".staging-" + token;
  }

  @Override
  public Result expand(PCollection<ImageRecord> input) {
    List<String> active = activeSplits();
    String staging = stagingDir(Long.toHexString(System.nanoTime()) + Integer.toHexString(System.identityHashCode(this)));
    SplitAssigner assigner = new SplitAssigner(valFraction, testFraction, seed);
    PCollection<KV<String, ImageRecord>> keyed =
        input
            .apply("AssignSplit", MapElements.via(new AssignFn(assigner)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), ImageRecordCoder.of()));

    PCollectionList<KV<String, ImageRecord>> parts =
        keyed.apply("PartitionBySplit", Partition.of(active.size(), new SplitIndexFn(active)));
    List<PCollection<KV<String, String>>> names = new ArrayList<>();
    for (int i = 0; i < active.size(); i++) {
      String split = active.get(i);
      PCollection<byte[]> bytes = parts.get(i)
          .apply("ToExampleBytes-" + split, MapElements.into(TypeDescriptor.of(byte[].class)).via(kv -> kv.getValue().toBytes()))
          .setCoder(ByteArrayCoder.of());
      FileIO.Write<Void, byte[]> write = FileIO.<byte[]>write()
          .via(TFRecordIO.sink())
          .to(staging)
          .withPrefix(split)
          .withSuffix(".tfrecord") // FileIO appends ".gz" itself when compressing
          .withCompression(gzip ? Compression.GZIP : Compression.UNCOMPRESSED);
      int fixed = shards.get(split);
      write = fixed > 0 ? write.withNumShards(fixed) : write.withSharding(new ShardsBySize(shardSizeMb));
      WriteFilesResult<Void> written = bytes.apply("WriteTFRecords-" + split, write);
      names.add(
          written
              .getPerDestinationOutputFilenames()
              .apply("NameShards-" + split,
                  MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
                      .via(kv -> KV.of(split, baseName(kv.getValue())))));
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
            .setCoder(SerializableCoder.of(DatasetStats.class));
    return new Result(input.getPipeline(), shardNames, stats, staging);
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

  /** What the writer produced: shard file names per split, the dataset statistics, the staging folder. */
  public static final class Result implements POutput {
    private final Pipeline pipeline;
    private final PCollection<KV<String, String>> shardNames;
    private final PCollection<DatasetStats> stats;
    private final String stagingDir;

    Result(Pipeline p, PCollection<KV<String, String>> shardNames, PCollection<DatasetStats> stats, String stagingDir) {
      this.pipeline = p;
      this.shardNames = shardNames;
      this.stats = stats;
      this.stagingDir = stagingDir;
    }

    /** (split, shard file base name) for every shard written. */
    public PCollection<KV<String, String>> shardNames() {
      return shardNames;
    }

    /** A single {@link DatasetStats} element. */
    public PCollection<DatasetStats> stats() {
      return stats;
    }

    /** Where the shards are until {@link DatasetFiles#commit} moves them into the output folder. */
    public String stagingDir() {
      return stagingDir;
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
      return m;
    }

    @Override
    public void finishSpecifyingOutput(String transformName, PInput input, PTransform<?, ?> transform) {}
  }
}
