package dev.labelbeam.cli;

import dev.labelbeam.shard.Storage;
import dev.labelbeam.trainer.DeviceChoice;
import dev.labelbeam.trainer.distributed.WorkerEnv;
import dev.labelbeam.trainer.distributed.WorkerLauncher;
import dev.labelbeam.trainer.train.OutputFolder;
import dev.labelbeam.trainer.train.TrainOptions;
import dev.labelbeam.trainer.train.TrainOptions.Architecture;
import dev.labelbeam.trainer.train.TrainOptions.LossFunction;
import dev.labelbeam.trainer.train.TrainOptions.OptimizerKind;
import dev.labelbeam.trainer.train.TrainOptions.PosWeight;
import dev.labelbeam.trainer.train.Trainer;
import dev.labelbeam.transforms.shards.BeamStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
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
  /** Every default comes from here: the fields start at these values and picocli shows them. */
  private static final TrainOptions D = TrainOptions.defaults();

  @Option(names = "--shards", required = true, description = "Folder of a preprocess run (shards, dataset.json, labels.txt).")
  String shards;

  @Option(names = "--output", required = true, description = "Local folder for the model, checkpoints and the "
      + "training log (evaluate and predict read the model from any filesystem once copied there).")
  String output;

  @Option(names = "--arch", description = "${COMPLETION-CANDIDATES}.")
  Architecture arch = D.arch();

  @Option(names = "--init", description = "Weights to start from, with torchvision's names: .safetensors, or a PyTorch "
      + ".pth state dict (read without running pickled code; a pickled whole model is refused). A classifier of "
      + "another shape is replaced. Default: random (Kaiming) init.")
  Path init;

  @Option(names = "--freeze-backbone", defaultValue = "false", description = "Train only the classifier (fc). Default: off.")
  boolean freezeBackbone;

  @Option(names = "--epochs", description = "Passes over the train split.")
  int epochs = D.epochs();

  @Option(names = "--batch-size", description = "Images per step (per worker).")
  int batchSize = D.batchSize();

  @Option(names = "--optimizer", description = "${COMPLETION-CANDIDATES} (sgd with momentum).")
  OptimizerKind optimizer = D.optimizer();

  @Option(names = "--lr", description = "Peak learning rate.")
  double lr = D.learningRate();

  @Option(names = "--weight-decay", description = "Weight decay (not on biases and norms).")
  double weightDecay = D.weightDecay();

  @Option(names = "--momentum", description = "SGD momentum.")
  double momentum = D.momentum();

  @Option(names = "--nesterov", defaultValue = "false", description = "Nesterov momentum for SGD. Default: off.")
  boolean nesterov;

  @Option(names = "--warmup-steps", description = "Linear warmup steps before cosine decay.")
  int warmupSteps = D.warmupSteps();

  @Option(names = "--grad-clip", description = "Clip the gradients' global norm to this; 0: off.")
  double gradClip = D.gradClip();

  @Option(names = "--loss", description = "${COMPLETION-CANDIDATES}: bce is BCEWithLogits, asl Asymmetric Loss, softmax "
      + "the cross-entropy of the softmax over classes against the labels normalized to sum 1.")
  LossFunction loss = D.loss();

  @Option(names = "--pos-weight", converter = PosWeightConverter.class, description = "For bce: dataset (each class's "
      + "negatives/positives in the train split, clipped to --max-pos-weight), sqrt (the square root of that ratio, clipped), none (1 for every class), a number (the "
      + "same weight for every class, e.g. 49: a positive counts as 49 negatives), or a file with one weight per class "
      + "(a line each, labels.txt order).")
  PosWeight posWeight = D.posWeight();

  @Option(names = "--max-pos-weight", description = "Upper clip of the derived pos_weight.")
  double maxPosWeight = D.maxPosWeight();

  @Option(names = "--asl-gamma-pos", description = "ASL focusing exponent of positives.")
  double aslGammaPos = D.aslGammaPos();

  @Option(names = "--asl-gamma-neg", description = "ASL focusing exponent of negatives.")
  double aslGammaNeg = D.aslGammaNeg();

  @Option(names = "--asl-margin", description = "ASL probability margin of negatives.")
  double aslMargin = D.aslMargin();

  @Option(names = "--classifier-bias", description = "${COMPLETION-CANDIDATES}: how a fresh classifier's biases start; "
      + "prior: at each class's best constant prediction on the train split (its frequency, weighted by pos_weight), "
      + "so that training at thousands of rare classes starts learning features at once; zero: LibTorch's default.")
  TrainOptions.ClassifierBias classifierBias = D.classifierBias();

  @Option(names = "--crop-scale-min", description = "Smallest area fraction of the random "
      + "resized crop; 1 turns cropping off.")
  double cropScaleMin = D.cropScaleMin();

  @Option(names = "--no-flip", defaultValue = "false", description = "Turn off the random horizontal flip. Default: off.")
  boolean noFlip;

  @Option(names = "--loader-threads", description = "Decoder threads; 0: one per core (shared among --workers).")
  int loaderThreads = D.loaderThreads();

  @Option(names = "--torch-threads", description = "LibTorch intra-op threads; 0 keeps LibTorch's default (one per core, shared among --workers).")
  int torchThreads = D.torchThreads();

  @Option(names = "--image-size", description = "Square input size; 0 takes the shards' size from dataset.json.")
  int imageSize = D.imageSize();

  @Option(names = "--width", description = "Base channel width of small_cnn.")
  int width = D.width();

  @Option(names = "--seed", description = "Seed of weights init, data order and augmentation.")
  long seed = D.seed();

  @Option(names = "--device", description = "${COMPLETION-CANDIDATES}: auto is CUDA when available.")
  DeviceChoice device = D.device();

  @Option(names = "--max-steps", description = "Stop after this many steps in total; 0 for no limit.")
  long maxSteps = D.maxSteps();

  @Option(names = "--checkpoint-every", description = "Also checkpoint every this many steps; 0: at epoch ends only.")
  int checkpointEvery = D.checkpointEvery();

  @Option(names = "--keep-checkpoints", description = "Checkpoints kept in checkpoints/.")
  int keepCheckpoints = D.keepCheckpoints();

  @Option(names = "--resume", defaultValue = "false", description = "Continue from the latest checkpoint in --output, "
      + "with optimizer state, schedule and data order restored. Default: off.")
  boolean resume;

  @Option(names = "--no-validate", defaultValue = "false", description = "Skip the per-epoch validation on the val split. Default: off.")
  boolean noValidate;

  @Option(names = "--log-every", description = "Also print a progress line every this many steps.")
  int logEvery = D.logEvery();

  @Option(names = "--validate-every", description = "Validate after every this many epochs (and after the last).")
  int validateEvery = D.validateEvery();

  @Option(names = "--val-samples", description = "Validate on this many val records only (the first in dataset "
      + "order, rounded up to a multiple of the workers: the same sample every epoch); 0: all. Every worker scores its "
      + "share.")
  long valSamples = D.valSamples();

  @Option(names = "--workers", defaultValue = "1", description = "Data-parallel worker processes on this machine "
      + "(Gloo on CPU, NCCL on CUDA). A worker started with RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT "
      + "in its environment (as torchrun sets them) joins that run instead; see the README for several machines.")
  int workers;

  @Option(names = "--dist-timeout", description = "Seconds to wait for the other workers at "
      + "rendezvous and in each collective; a dead worker stops the others within it.")
  int distTimeout = D.distTimeoutSeconds();

  @Option(names = "--bucket-mb", description = "Gradient all-reduce bucket size in MB (as DDP's "
      + "bucket_cap_mb): smaller buckets start communicating earlier in the backward pass, larger ones make fewer calls.")
  double bucketMb = D.bucketBytes() / (double) (1 << 20);

  @Option(names = "--no-batch-norm", defaultValue = "false", description = "small_cnn without batch norm (a step's "
      + "gradient is then exactly the batch mean, whatever the number of workers). Default: off.")
  boolean noBatchNorm;

  @Option(names = "--overwrite", defaultValue = "false", description = "Replace the training run --output holds "
      + "(its model, checkpoints and log are deleted first). Without it (or --resume) a used --output is refused. "
      + "Default: off.")
  boolean overwrite;

  @Option(names = "--dump-rank-weights", defaultValue = "false", hidden = true,
      description = "Every rank writes rank-<r>.safetensors at the end (for tests). Default: off.")
  boolean dumpRankWeights;

  @Option(names = "--options-file", hidden = true, description = "The training options as one JSON object (what "
      + "train --workers and the TrainModel step write for their workers); the other options are not read then.")
  Path optionsFile;

  /**
   * The arguments of a worker process that trains with {@code o}, written to {@code optionsFile}: how
   * {@code train --workers} and {@code TrainModel} start their workers ({@link WorkerLauncher}). The
   * folders are given as flags too, for whoever reads the process list.
   */
  public static List<String> workerArgs(TrainOptions o, Path optionsFile) {
    return List.of("train", "--shards", o.shardDir(), "--output", o.outputDir().toString(), "--options-file",
        optionsFile.toString());
  }

  @Override
  public Integer call() throws Exception {
    Map<String, String> env = System.getenv();
    boolean joinsARun = WorkerEnv.present(env);
    TrainOptions options = optionsFile != null ? TrainOptions.fromJson(Files.readString(optionsFile)) : options();
    boolean resuming = options.resume(); // the flag's, or the options file's
    if (workers < 1) {
      throw new IllegalArgumentException("--workers must be >= 1, was " + workers);
    }
    if (resuming && overwrite) {
      throw new IllegalArgumentException("--resume continues the run in --output and --overwrite replaces it: give one");
    }
    if (!joinsARun || WorkerEnv.fromEnv(env).rank == 0) {
      OutputFolder.claim(options.outputDir(), resuming, overwrite); // once: the launcher, or rank 0
    }
    if (workers > 1 && !joinsARun) {
      // the launcher: the same options, once per worker, with the cores shared among them
      TrainOptions each = options.perWorker(workers, Runtime.getRuntime().availableProcessors());
      return WorkerLauncher.run(LabelbeamCli.class, TrainCommand::workerArgs, each, workers, System.out);
    }
    WorkerEnv worker = joinsARun ? WorkerEnv.fromEnv(env) : WorkerEnv.single();
    Thread interrupted = worker.rank == 0 ? resumeHint(options.outputDir()) : null;
    try {
      new Trainer(options, worker, System.out::println).readingFrom(BeamStorage.create()).run();
    } finally {
      if (interrupted != null) {
        Runtime.getRuntime().removeShutdownHook(interrupted);
      }
    }
    if (worker.rank == 0) {
      System.out.println("model: " + options.outputDir().resolve("model.pt") + " (+ model.json, model.safetensors, train_log.jsonl)");
    }
    return 0;
  }

  /**
   * A shutdown hook, registered while training runs, that tells a user who pressed Ctrl-C (or whose
   * job was stopped) how to continue: the checkpoints survive, and --resume picks up from the latest.
   */
  private static Thread resumeHint(Path outputDir) {
    Thread hook = new Thread(() -> System.err.println("interrupted; rerun the same command with --resume to "
        + "continue from the latest checkpoint in " + outputDir.resolve("checkpoints")), "resume-hint");
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }

  /** The options the flags describe; throws {@link IllegalArgumentException} naming an invalid one. */
  public TrainOptions options() {
    if (!(bucketMb > 0)) {
      throw new IllegalArgumentException("--bucket-mb must be > 0, was " + bucketMb);
    }
    if (Storage.isUrl(output)) {
      throw new IllegalArgumentException("--output must be a local folder, was " + output + ": LibTorch writes "
          + "model.pt and its checkpoints to local files. Train into a local folder and copy it there afterwards "
          + "(evaluate --model and predict --model read a model folder from any filesystem)");
    }
    return TrainOptions.builder(PreprocessCommand.absolute(shards), Path.of(output).toAbsolutePath())
        .arch(arch).width(width).batchNorm(!noBatchNorm)
        .initWeights(init == null ? null : init.toAbsolutePath()).freezeBackbone(freezeBackbone).imageSize(imageSize)
        .epochs(epochs).batchSize(batchSize).loaderThreads(loaderThreads).cropScaleMin(cropScaleMin).flip(!noFlip)
        .seed(seed).loss(loss).posWeight(posWeight).maxPosWeight(maxPosWeight)
        .aslGammaPos(aslGammaPos).aslGammaNeg(aslGammaNeg).aslMargin(aslMargin)
        .classifierBias(classifierBias)
        .optimizer(optimizer).learningRate(lr).weightDecay(weightDecay).momentum(momentum).nesterov(nesterov)
        .warmupSteps(warmupSteps).gradClip(gradClip)
        .distTimeoutSeconds(distTimeout).bucketBytes(Math.max(1, (long) (bucketMb * (1 << 20))))
        .dumpRankWeights(dumpRankWeights).torchThreads(torchThreads).device(device).maxSteps(maxSteps)
        .checkpointEvery(checkpointEvery).keepCheckpoints(keepCheckpoints).resume(resume).validate(!noValidate)
        .logEvery(logEvery).validateEvery(validateEvery).valSamples(valSamples)
        .build();
  }

  /** The options a {@code train} command line describes ({@code args} start with {@code train}). */
  public static TrainOptions parse(List<String> args) {
    if (args.isEmpty() || !args.get(0).equals("train")) {
      throw new IllegalArgumentException("not a train command line: " + args);
    }
    TrainCommand c = new TrainCommand();
    new CommandLine(c).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args.subList(1, args.size()).toArray(new String[0]));
    return c.options();
  }

  /** {@code --pos-weight}: {@code dataset}, {@code none} or a file. */
  static final class PosWeightConverter implements CommandLine.ITypeConverter<PosWeight> {
    @Override
    public PosWeight convert(String value) {
      return PosWeight.parse(value);
    }
  }
}
