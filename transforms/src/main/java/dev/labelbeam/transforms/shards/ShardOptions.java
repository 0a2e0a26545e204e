package dev.labelbeam.transforms.shards;

import static dev.labelbeam.transforms.Preconditions.checkArgument;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How records are split and sharded: one immutable value shared by {@link WriteImageShards},
 * {@link dev.labelbeam.transforms.PreprocessImages} and the {@code preprocess} command, so that every
 * default and every check is written once (here).
 *
 * @param valFraction fraction of ids in {@code val}, by hash of the id ({@link SplitAssigner}); in
 *     [0, 1), default 0.1
 * @param testFraction fraction of ids in {@code test}; in [0, 1), default 0; the two sum below 1
 * @param splitSeed salt of the split hash; default empty; change it for another split
 * @param trainShards fixed number of train shards in [1, 100000], or 0 (default): by size
 * @param valShards fixed number of val shards, or 0 (default): by size
 * @param testShards fixed number of test shards, or 0 (default): by size
 * @param shardSizeMb target shard size in MiB for splits without a fixed count; in [1, 100000],
 *     default 200
 * @param gzip gzip the shards ({@code .tfrecord.gz}); default off
 */
public record ShardOptions(double valFraction, double testFraction, String splitSeed, int trainShards, int valShards,
    int testShards, int shardSizeMb, boolean gzip) implements Serializable {

  /** Default target shard size in MiB. */
  public static final int DEFAULT_SHARD_SIZE_MB = 200;
  /** Default fraction of ids in val. */
  public static final double DEFAULT_VAL_FRACTION = 0.1;

  /** Validates every field; the message names the option, the value and what is allowed. */
  public ShardOptions {
    splitSeed = splitSeed == null ? "" : splitSeed;
    new SplitAssigner(valFraction, testFraction, splitSeed); // checks the fractions
    checkShards("trainShards", trainShards);
    checkShards("valShards", valShards);
    checkShards("testShards", testShards);
    checkArgument(shardSizeMb >= 1 && shardSizeMb <= 100_000, "shardSizeMb must be in [1, 100000], was %s", shardSizeMb);
  }

  private static void checkShards(String name, int n) {
    checkArgument(n >= 0 && n <= 100_000, "%s must be 0 (by size) or in [1, 100000], was %s", name, n);
  }

  /** 10% val, no test, shards of about 200 MiB, no gzip. */
  public static ShardOptions defaults() {
    return new ShardOptions(DEFAULT_VAL_FRACTION, 0.0, "", 0, 0, 0, DEFAULT_SHARD_SIZE_MB, false);
  }

  /** A copy with other split fractions and seed. */
  public ShardOptions withSplit(double val, double test, String seed) {
    return new ShardOptions(val, test, seed, trainShards, valShards, testShards, shardSizeMb, gzip);
  }

  /** A copy with a fixed shard count (in [1, 100000], or 0 for by size) for {@code split}: train, val or test. */
  public ShardOptions withShards(String split, int count) {
    switch (split) {
      case SplitAssigner.TRAIN:
        return new ShardOptions(valFraction, testFraction, splitSeed, count, valShards, testShards, shardSizeMb, gzip);
      case SplitAssigner.VAL:
        return new ShardOptions(valFraction, testFraction, splitSeed, trainShards, count, testShards, shardSizeMb, gzip);
      case SplitAssigner.TEST:
        return new ShardOptions(valFraction, testFraction, splitSeed, trainShards, valShards, count, shardSizeMb, gzip);
      default:
        throw new IllegalArgumentException("split must be one of [train, val, test], was '" + split + "'");
    }
  }

  /** A copy with another target shard size in MiB. */
  public ShardOptions withShardSizeMb(int mb) {
    return new ShardOptions(valFraction, testFraction, splitSeed, trainShards, valShards, testShards, mb, gzip);
  }

  /** A copy with gzip on or off. */
  public ShardOptions withGzip(boolean on) {
    return new ShardOptions(valFraction, testFraction, splitSeed, trainShards, valShards, testShards, shardSizeMb, on);
  }

  /** The fixed shard count of a split, 0 when it is sized by {@link #shardSizeMb}. */
  public int fixedShards(String split) {
    switch (split) {
      case SplitAssigner.TRAIN:
        return trainShards;
      case SplitAssigner.VAL:
        return valShards;
      case SplitAssigner.TEST:
        return testShards;
      default:
        throw new IllegalArgumentException("split must be one of [train, val, test], was '" + split + "'");
    }
  }

  /** The splits written: train, then val and test when their fraction is above 0. */
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

  /** The split each id goes to. */
  public SplitAssigner assigner() {
    return new SplitAssigner(valFraction, testFraction, splitSeed);
  }

  /** The options by name, as {@code dataset.json} and display data record them. */
  public Map<String, String> describe() {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("valFraction", Double.toString(valFraction));
    o.put("testFraction", Double.toString(testFraction));
    o.put("splitSeed", splitSeed);
    for (String s : List.of(SplitAssigner.TRAIN, SplitAssigner.VAL, SplitAssigner.TEST)) {
      int n = fixedShards(s);
      o.put("shards." + s, n == 0 ? "by size, " + shardSizeMb + " MB" : Integer.toString(n));
    }
    o.put("gzip", Boolean.toString(gzip));
    return o;
  }
}
