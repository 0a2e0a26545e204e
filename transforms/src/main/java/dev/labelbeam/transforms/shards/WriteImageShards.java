package dev.labelbeam.transforms.shards;

import static dev.labelbeam.transforms.Preconditions.checkArgument;

import dev.labelbeam.shard.ImageRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TFRecordIO;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Partition;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes {@link ImageRecord}s as TFRecord shards of {@code tf.train.Example}s, one set of shards per
 * split: {@code <dir>/<split>-SSSSS-of-NNNNN.tfrecord}. The split of a record comes from its id
 * ({@link SplitAssigner}), so it does not depend on input order or runner.
 *
 * <pre>{@code
 * WriteImageShards.Result r = records.apply(
 *     WriteImageShards.to("/out").withSplit(0.1, 0.0, "seed").withShards("train", 8));
 * }</pre>
 *
 * <p>The result carries the written file names per split and {@link DatasetStats} (records per
 * split, per-class positives), from which {@link WriteDatasetFiles} writes {@code dataset.json}.
 */
public final class WriteImageShards extends PTransform<PCollection<ImageRecord>, WriteImageShards.Result> {
  private static final long serialVersionUID = 1L;

  private final String outputDir;
  private final double valFraction;
  private final double testFraction;
  private final String seed;
  private final Map<String, Integer> shards;

  private WriteImageShards(String outputDir, double val, double test, String seed, Map<String, Integer> shards) {
    new SplitAssigner(val, test, seed); // validates the fractions
    this.outputDir = outputDir;
    this.valFraction = val;
    this.testFraction = test;
    this.seed = seed;
    this.shards = shards;
  }

  /** Shards into {@code outputDir}; by default 10% val, no test, 4 train shards, 1 val, 1 test. */
  public static WriteImageShards to(String outputDir) {
    checkArgument(outputDir != null && !outputDir.isEmpty(), "outputDir must be a folder, was '%s'", outputDir);
    Map<String, Integer> shards = new LinkedHashMap<>();
    shards.put(SplitAssigner.TRAIN, 4);
    shards.put(SplitAssigner.VAL, 1);
    shards.put(SplitAssigner.TEST, 1);
    return new WriteImageShards(outputDir, 0.1, 0.0, "", shards);
  }

  /**
   * Fractions of ids sent to val and test (by hash of the id with {@code seed}); each in [0, 1),
   * their sum below 1.
   */
  public WriteImageShards withSplit(double valFraction, double testFraction, String seed) {
    return new WriteImageShards(outputDir, valFraction, testFraction, seed, shards);
  }

  /** Number of shards for one split (train, val or test), in [1, 100000]. */
  public WriteImageShards withShards(String split, int numShards) {
    checkArgument(shards.containsKey(split), "split must be one of %s, was '%s'", shards.keySet(), split);
    checkArgument(numShards >= 1 && numShards <= 100_000, "numShards must be in [1, 100000], was %s", numShards);
    Map<String, Integer> s = new LinkedHashMap<>(shards);
    s.put(split, numShards);
    return new WriteImageShards(outputDir, valFraction, testFraction, seed, s);
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

  @Override
  public Result expand(PCollection<ImageRecord> input) {
    List<String> active = activeSplits();
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
      WriteFilesResult<Void> written =
          parts
              .get(i)
              .apply("ToExampleBytes-" + split,
                  MapElements.into(org.apache.beam.sdk.values.TypeDescriptor.of(byte[].class)).via(kv -> kv.getValue().toBytes()))
              .setCoder(ByteArrayCoder.of())
              .apply(
                  "WriteTFRecords-" + split,
                  FileIO.<byte[]>write()
                      .via(TFRecordIO.sink())
                      .to(outputDir)
                      .withPrefix(split)
                      .withSuffix(".tfrecord")
                      .withNumShards(shards.get(split)));
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
                MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), org.apache.beam.sdk.values.TypeDescriptor.of(byte[].class)))
                    .via(kv -> KV.of(kv.getKey(), kv.getValue().labelBits())))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()))
            .apply("DatasetStats", Combine.globally(new StatsFn()))
            .setCoder(SerializableCoder.of(DatasetStats.class));
    return new Result(input.getPipeline(), shardNames, stats);
  }

  static String baseName(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  static final class AssignFn extends org.apache.beam.sdk.transforms.SimpleFunction<ImageRecord, KV<String, ImageRecord>> {
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

  /** What the writer produced: shard file names per split, and the dataset statistics. */
  public static final class Result implements org.apache.beam.sdk.values.POutput {
    private final org.apache.beam.sdk.Pipeline pipeline;
    private final PCollection<KV<String, String>> shardNames;
    private final PCollection<DatasetStats> stats;

    Result(org.apache.beam.sdk.Pipeline p, PCollection<KV<String, String>> shardNames, PCollection<DatasetStats> stats) {
      this.pipeline = p;
      this.shardNames = shardNames;
      this.stats = stats;
    }

    /** (split, shard file base name) for every shard written. */
    public PCollection<KV<String, String>> shardNames() {
      return shardNames;
    }

    /** A single {@link DatasetStats} element. */
    public PCollection<DatasetStats> stats() {
      return stats;
    }

    @Override
    public org.apache.beam.sdk.Pipeline getPipeline() {
      return pipeline;
    }

    @Override
    public Map<org.apache.beam.sdk.values.TupleTag<?>, org.apache.beam.sdk.values.PValue> expand() {
      Map<org.apache.beam.sdk.values.TupleTag<?>, org.apache.beam.sdk.values.PValue> m = new LinkedHashMap<>();
      m.put(new org.apache.beam.sdk.values.TupleTag<KV<String, String>>("shardNames"), shardNames);
      m.put(new org.apache.beam.sdk.values.TupleTag<DatasetStats>("stats"), stats);
      return m;
    }

    @Override
    public void finishSpecifyingOutput(String transformName, org.apache.beam.sdk.values.PInput input,
        org.apache.beam.sdk.transforms.PTransform<?, ?> transform) {}
  }
}
