package dev.labelbeam.cli;

import dev.labelbeam.trainer.train.TrainConfig;
import dev.labelbeam.trainer.train.Trainer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code labelbeam train}: LibTorch training on the shards. */
@Command(name = "train", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Train a multi-label CNN with LibTorch on the train shards: loader threads with random resized "
        + "crop and flip, BCEWithLogits with per-class pos_weight (or Asymmetric Loss), AdamW or SGD without weight "
        + "decay on biases and norms, warmup and cosine decay, checkpoints and exact --resume, validation each epoch. "
        + "CUDA is used when available (--device auto), with bf16 autocast. Writes model.pt, model.json, "
        + "model.safetensors (torchvision names), checkpoints/ and train_log.jsonl.")
public final class TrainCommand implements Callable<Integer> {
  @Option(names = "--shards", required = true, description = "Folder of a preprocess run (shards, dataset.json, labels.txt).")
  Path shards;

  @Option(names = "--output", required = true, description = "Folder for the model, checkpoints and the training log.")
  Path output;

  @Option(names = "--arch", defaultValue = "small_cnn", description = "small_cnn, resnet18, resnet34 or resnet50.")
  String arch;

  @Option(names = "--init", description = "Safetensors weights to start from, with torchvision's names (e.g. exported "
      + "from torchvision); a classifier of another shape is replaced. Default: random (Kaiming) init.")
  Path init;

  @Option(names = "--freeze-backbone", defaultValue = "false", description = "Train only the classifier (fc). Default: off.")
  boolean freezeBackbone;

  @Option(names = "--epochs", defaultValue = "10", description = "Passes over the train split.")
  int epochs;

  @Option(names = "--batch-size", defaultValue = "64", description = "Images per step.")
  int batchSize;

  @Option(names = "--optimizer", defaultValue = "adamw", description = "adamw or sgd (with momentum).")
  String optimizer;

  @Option(names = "--lr", defaultValue = "0.003", description = "Peak learning rate.")
  double lr;

  @Option(names = "--weight-decay", defaultValue = "0.0001", description = "Weight decay (not on biases and norms).")
  double weightDecay;

  @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum.")
  double momentum;

  @Option(names = "--nesterov", defaultValue = "false", description = "Nesterov momentum for SGD. Default: off.")
  boolean nesterov;

  @Option(names = "--warmup-steps", defaultValue = "30", description = "Linear warmup steps before cosine decay.")
  int warmupSteps;

  @Option(names = "--grad-clip", defaultValue = "0", description = "Clip the gradients' global norm to this; 0: off.")
  double gradClip;

  @Option(names = "--loss", defaultValue = "bce", description = "bce (BCEWithLogits) or asl (Asymmetric Loss).")
  String loss;

  @Option(names = "--pos-weight", defaultValue = "dataset", description = "For bce: dataset (negatives/positives of "
      + "the train split, clipped to --max-pos-weight), none, or a file with one weight per class.")
  String posWeight;

  @Option(names = "--max-pos-weight", defaultValue = "100", description = "Upper clip of the derived pos_weight.")
  double maxPosWeight;

  @Option(names = "--asl-gamma-pos", defaultValue = "0", description = "ASL focusing exponent of positives.")
  double aslGammaPos;

  @Option(names = "--asl-gamma-neg", defaultValue = "4", description = "ASL focusing exponent of negatives.")
  double aslGammaNeg;

  @Option(names = "--asl-margin", defaultValue = "0.05", description = "ASL probability margin of negatives.")
  double aslMargin;

  @Option(names = "--crop-scale-min", defaultValue = "0.25", description = "Smallest area fraction of the random "
      + "resized crop; 1 turns cropping off.")
  double cropScaleMin;

  @Option(names = "--no-flip", defaultValue = "false", description = "Turn off the random horizontal flip. Default: off.")
  boolean noFlip;

  @Option(names = "--loader-threads", description = "Decoder threads (default: the number of cores).")
  Integer loaderThreads;

  @Option(names = "--torch-threads", defaultValue = "0", description = "LibTorch intra-op threads; 0 keeps LibTorch's default.")
  int torchThreads;

  @Option(names = "--image-size", defaultValue = "0", description = "Square input size; 0 takes the shards' size from dataset.json.")
  int imageSize;

  @Option(names = "--width", defaultValue = "16", description = "Base channel width of small_cnn.")
  int width;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of weights init, data order and augmentation.")
  long seed;

  @Option(names = "--device", defaultValue = "auto", description = "auto (CUDA when available), cpu or cuda.")
  String device;

  @Option(names = "--max-steps", defaultValue = "0", description = "Stop after this many steps in total; 0 for no limit.")
  long maxSteps;

  @Option(names = "--checkpoint-every", defaultValue = "0", description = "Also checkpoint every this many steps; 0: at epoch ends only.")
  int checkpointEvery;

  @Option(names = "--keep-checkpoints", defaultValue = "3", description = "Checkpoints kept in checkpoints/.")
  int keepCheckpoints;

  @Option(names = "--resume", defaultValue = "false", description = "Continue from the latest checkpoint in --output, "
      + "with optimizer state, schedule and data order restored. Default: off.")
  boolean resume;

  @Option(names = "--no-validate", defaultValue = "false", description = "Skip the per-epoch validation on the val split. Default: off.")
  boolean noValidate;

  @Option(names = "--log-every", defaultValue = "0", description = "Also print a progress line every this many steps.")
  int logEvery;

  @Option(names = "--workers", defaultValue = "1", description = "Data-parallel worker processes on this machine "
      + "(Gloo on CPU, NCCL on CUDA). A worker started with RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT "
      + "in its environment (as torchrun sets them) joins that run instead; see the README for several machines.")
  int workers;

  @Option(names = "--dist-timeout", defaultValue = "60", description = "Seconds to wait for the other workers at "
      + "rendezvous and in each collective; a dead worker stops the others within it.")
  int distTimeout;

  @Option(names = "--bucket-mb", defaultValue = "25", description = "Gradient all-reduce bucket size in MB (as DDP's "
      + "bucket_cap_mb): smaller buckets start communicating earlier in the backward pass, larger ones make fewer calls.")
  double bucketMb;

  @Option(names = "--no-batch-norm", defaultValue = "false", description = "small_cnn without batch norm (a step's "
      + "gradient is then exactly the batch mean, whatever the number of workers). Default: off.")
  boolean noBatchNorm;

  @Option(names = "--dump-rank-weights", defaultValue = "false", hidden = true,
      description = "Every rank writes rank-<r>.safetensors at the end (for tests). Default: off.")
  boolean dumpRankWeights;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    java.util.Map<String, String> env = System.getenv();
    boolean worker = dev.labelbeam.trainer.distributed.WorkerEnv.present(env);
    if (workers < 1) {
      throw new IllegalArgumentException("--workers must be >= 1, was " + workers);
    }
    if (workers > 1 && !worker) {
      // the launcher: the same command line, once per worker, without --workers
      java.util.List<String> args = new java.util.ArrayList<>(spec.commandLine().getParseResult().originalArgs());
      for (int i = 0; i < args.size(); i++) {
        if (args.get(i).equals("--workers")) {
          args.remove(i + 1);
          args.remove(i);
          break;
        }
        if (args.get(i).startsWith("--workers=")) {
          args.remove(i);
          break;
        }
      }
      int cores = Runtime.getRuntime().availableProcessors();
      if (torchThreads == 0) {
        args.addAll(java.util.List.of("--torch-threads", Integer.toString(Math.max(1, cores / workers))));
      }
      if (loaderThreads == null) {
        args.addAll(java.util.List.of("--loader-threads", Integer.toString(Math.max(1, cores / workers))));
      }
      return WorkerLauncher.run(args, workers, output.toAbsolutePath(), System.out);
    }
    TrainConfig c = new TrainConfig();
    if (worker) {
      c.worker = dev.labelbeam.trainer.distributed.WorkerEnv.fromEnv(env);
    }
    c.distTimeoutSeconds = distTimeout;
    if (bucketMb <= 0) {
      throw new IllegalArgumentException("--bucket-mb must be > 0, was " + bucketMb);
    }
    c.bucketBytes = Math.max(1, (long) (bucketMb * (1 << 20)));
    c.batchNorm = !noBatchNorm;
    c.dumpRankWeights = dumpRankWeights;
    c.shardDir = shards.toAbsolutePath();
    c.outputDir = output.toAbsolutePath();
    c.arch = arch;
    c.initWeights = init == null ? null : init.toAbsolutePath();
    c.freezeBackbone = freezeBackbone;
    c.epochs = epochs;
    c.batchSize = batchSize;
    c.optimizer = optimizer;
    c.learningRate = lr;
    c.weightDecay = weightDecay;
    c.momentum = momentum;
    c.nesterov = nesterov;
    c.warmupSteps = warmupSteps;
    c.gradClip = gradClip;
    c.loss = loss;
    c.posWeight = posWeight;
    c.maxPosWeight = maxPosWeight;
    c.aslGammaPos = aslGammaPos;
    c.aslGammaNeg = aslGammaNeg;
    c.aslMargin = aslMargin;
    c.cropScaleMin = cropScaleMin;
    c.flip = !noFlip;
    if (loaderThreads != null) {
      c.loaderThreads = loaderThreads;
    }
    c.torchThreads = torchThreads;
    c.imageSize = imageSize;
    c.width = width;
    c.seed = seed;
    c.device = device;
    c.maxSteps = maxSteps;
    c.checkpointEvery = checkpointEvery;
    c.keepCheckpoints = keepCheckpoints;
    c.resume = resume;
    c.validate = !noValidate;
    c.logEvery = logEvery;
    new Trainer(c, System.out::println).run();
    if (c.worker.rank != 0) {
      return 0;
    }
    System.out.println("model: " + c.outputDir.resolve("model.pt") + " (+ model.json, model.safetensors, train_log.jsonl)");
    return 0;
  }
}
