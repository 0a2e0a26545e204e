package dev.labelbeam.cli;

import dev.labelbeam.trainer.train.TrainConfig;
import dev.labelbeam.trainer.train.Trainer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code labelbeam train}: LibTorch training on the shards. */
@Command(name = "train", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Train a multi-label CNN with LibTorch on the train shards: loader threads, BCEWithLogits with "
        + "per-class pos_weight from dataset.json, AdamW with warmup and cosine decay. CUDA is used when available "
        + "(--device auto). Writes model.pt, model.json and train_log.jsonl.")
public final class TrainCommand implements Callable<Integer> {
  @Option(names = "--shards", required = true, description = "Folder of a preprocess run (shards, dataset.json, labels.txt).")
  Path shards;

  @Option(names = "--output", required = true, description = "Folder for the checkpoint and the training log.")
  Path output;

  @Option(names = "--epochs", defaultValue = "10", description = "Passes over the train split.")
  int epochs;

  @Option(names = "--batch-size", defaultValue = "64", description = "Images per step.")
  int batchSize;

  @Option(names = "--lr", defaultValue = "0.003", description = "Peak learning rate of AdamW.")
  double lr;

  @Option(names = "--weight-decay", defaultValue = "0.0001", description = "AdamW weight decay.")
  double weightDecay;

  @Option(names = "--warmup-steps", defaultValue = "30", description = "Linear warmup steps before cosine decay.")
  int warmupSteps;

  @Option(names = "--loader-threads", description = "Shard loader threads (default: the number of cores).")
  Integer loaderThreads;

  @Option(names = "--torch-threads", defaultValue = "0", description = "LibTorch intra-op threads; 0 keeps LibTorch's default.")
  int torchThreads;

  @Option(names = "--image-size", defaultValue = "0", description = "Square input size; 0 takes the shards' size from dataset.json.")
  int imageSize;

  @Option(names = "--width", defaultValue = "16", description = "Base channel width of small_cnn.")
  int width;

  @Option(names = "--max-pos-weight", defaultValue = "100", description = "Upper clip of pos_weight = negatives/positives per class; 0 disables pos_weight.")
  double maxPosWeight;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of weights init and data order.")
  long seed;

  @Option(names = "--device", defaultValue = "auto", description = "auto (CUDA when available), cpu or cuda.")
  String device;

  @Option(names = "--max-steps", defaultValue = "0", description = "Stop after this many steps in total; 0 for no limit.")
  long maxSteps;

  @Override
  public Integer call() throws Exception {
    TrainConfig c = new TrainConfig();
    c.shardDir = shards.toAbsolutePath();
    c.outputDir = output.toAbsolutePath();
    c.epochs = epochs;
    c.batchSize = batchSize;
    c.learningRate = lr;
    c.weightDecay = weightDecay;
    c.warmupSteps = warmupSteps;
    if (loaderThreads != null) {
      c.loaderThreads = loaderThreads;
    }
    c.torchThreads = torchThreads;
    c.imageSize = imageSize;
    c.width = width;
    c.maxPosWeight = maxPosWeight;
    c.seed = seed;
    c.device = device;
    c.maxSteps = maxSteps;
    new Trainer(c, System.out::println).run();
    System.out.println("checkpoint: " + c.outputDir.resolve("model.pt") + " (+ model.json, train_log.jsonl)");
    return 0;
  }
}
