package dev.labelbeam.cli;

import dev.labelbeam.transforms.shards.ShardOptions;
import picocli.CommandLine.Option;

/**
 * The command-line face of {@link ShardOptions}: every field starts at {@link ShardOptions#defaults()}
 * (picocli shows those values), and {@link #options()} builds the value, whose constructor checks it.
 */
public final class ShardOptionsMixin {
  private static final ShardOptions D = ShardOptions.defaults();

  @Option(names = "--val-fraction", description = "Fraction of images in the val split (by hash of the id).")
  double valFraction = D.valFraction();

  @Option(names = "--test-fraction", description = "Fraction of images in the test split (by hash of the id).")
  double testFraction = D.testFraction();

  @Option(names = "--split-seed", description = "Salt of the split hash; change it for another split.")
  String splitSeed = D.splitSeed();

  @Option(names = "--shard-size-mb", description = "Target shard size for splits without a fixed count.")
  int shardSizeMb = D.shardSizeMb();

  @Option(names = "--train-shards", description = "Fixed number of train shards; 0: by --shard-size-mb.")
  int trainShards = D.trainShards();

  @Option(names = "--val-shards", description = "Fixed number of val shards; 0: by --shard-size-mb.")
  int valShards = D.valShards();

  @Option(names = "--test-shards", description = "Fixed number of test shards; 0: by --shard-size-mb.")
  int testShards = D.testShards();

  @Option(names = "--gzip", description = "Gzip the shards (.tfrecord.gz). Default: off.")
  boolean gzip = D.gzip();

  /** The options given, checked. */
  public ShardOptions options() {
    return new ShardOptions(valFraction, testFraction, splitSeed, trainShards, valShards, testShards, shardSizeMb, gzip);
  }
}
