package dev.labelbeam.trainer.train;

import java.nio.file.Path;

/** Options of a training run; the {@code train} command maps its flags onto these fields. */
public final class TrainConfig {
  /** Folder with the shards, {@code dataset.json} and {@code labels.txt}. */
  public Path shardDir;
  /**
   * Folder for the result ({@code model.pt}, {@code model.json}, {@code model.safetensors}), the
   * {@code checkpoints/} and {@code train_log.jsonl}.
   */
  public Path outputDir;

  // model
  /** {@code small_cnn}, {@code resnet18}, {@code resnet34} or {@code resnet50}. */
  public String arch = "small_cnn";
  /** Base width of {@code small_cnn}. */
  public int width = 16;
  /** Batch norm in {@code small_cnn}. */
  public boolean batchNorm = true;
  /** Safetensors weights to start from (torchvision names); a classifier of another shape is replaced. */
  public Path initWeights;
  /** Train only the classifier ({@code fc}); the rest stays as initialised. */
  public boolean freezeBackbone;
  /** Input size in pixels (square); 0 takes the shards' image size from {@code dataset.json}. */
  public int imageSize = 0;

  // data
  public int epochs = 10;
  public int batchSize = 64;
  /** Decoder threads; default the number of cores. */
  public int loaderThreads = Runtime.getRuntime().availableProcessors();
  /** Smallest crop area fraction of the random resized crop; 1 turns cropping off. */
  public double cropScaleMin = 0.25;
  public boolean flip = true;
  public long seed = 42;

  // loss
  /** {@code bce} or {@code asl}. */
  public String loss = "bce";
  /** {@code dataset} (negatives/positives of the train split, clipped), {@code none}, or a file path. */
  public String posWeight = "dataset";
  /** Upper clip of the derived {@code pos_weight}. */
  public double maxPosWeight = 100;
  public double aslGammaPos = 0;
  public double aslGammaNeg = 4;
  public double aslMargin = 0.05;

  // optimization
  /** {@code adamw} or {@code sgd}. */
  public String optimizer = "adamw";
  /** Peak learning rate. */
  public double learningRate = 3e-3;
  /** Weight decay, never applied to biases and normalization parameters. */
  public double weightDecay = 1e-4;
  public double momentum = 0.9;
  public boolean nesterov = false;
  /** Warmup steps before cosine decay. */
  public int warmupSteps = 30;
  /** Clip the gradients' global L2 norm to this; 0 disables. */
  public double gradClip = 0;

  // data parallel
  /** This process's place in a data-parallel run; a single worker by default. */
  public dev.labelbeam.trainer.distributed.WorkerEnv worker = dev.labelbeam.trainer.distributed.WorkerEnv.single();
  /** Seconds to wait for the other workers at rendezvous and in each collective. */
  public int distTimeoutSeconds = 60;
  /** Target size of a gradient all-reduce bucket (PyTorch DDP's {@code bucket_cap_mb}, 25 MB). */
  public long bucketBytes = dev.labelbeam.trainer.distributed.Collectives.BUCKET_BYTES;
  /** For tests: every rank writes {@code rank-<r>.safetensors} at the end. */
  public boolean dumpRankWeights;

  // runtime
  /** LibTorch intra-op threads; 0 keeps LibTorch's default. */
  public int torchThreads = 0;
  /** {@code auto}, {@code cpu} or {@code cuda}. */
  public String device = "auto";
  /** Stop after this many steps in total (0: no limit). */
  public long maxSteps = 0;
  /** Write a checkpoint every this many steps (0: only at epoch ends). */
  public int checkpointEvery = 0;
  /** Checkpoints kept; older ones are deleted. */
  public int keepCheckpoints = 3;
  /** Continue from the latest checkpoint in {@code outputDir/checkpoints}. */
  public boolean resume;
  /** Evaluate macro-F1 and macro-AUC on the val split after each epoch (when it exists). */
  public boolean validate = true;
  /** Print a progress line every this many steps (0: per epoch only). */
  public int logEvery = 0;
  /** For tests: throw after this many steps in this process, as a kill would stop the run. */
  public long interruptAfterSteps = 0;
}
