package dev.labelbeam.trainer.train;

import com.google.auto.value.AutoBuilder;
import dev.labelbeam.trainer.DeviceChoice;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * The options of a training run, as one immutable value: every default and every validation is
 * written here once. The {@code train} command binds its flags onto a {@link Builder}, and
 * {@code TrainModel} (a Beam step) and {@code train --workers} hand the value to their worker processes
 * as JSON ({@link #toJson}, {@link #fromJson}).
 *
 * <pre>{@code
 * TrainOptions o = TrainOptions.builder(Path.of("shards"), Path.of("model"))
 *     .arch(TrainOptions.Architecture.RESNET18).epochs(20).batchSize(64).build();
 * new Trainer(o, WorkerEnv.single(), System.out::println).run();
 * }</pre>
 *
 * @param shardDir folder of a preprocess run: shards, {@code dataset.json}, {@code labels.txt}; a local path or,
 *     read through the trainer's {@link dev.labelbeam.shard.Storage}, a URL of another filesystem ({@code gs://...})
 * @param outputDir folder for {@code model.pt}, {@code model.json}, {@code model.safetensors},
 *     {@code checkpoints/} and {@code train_log.jsonl}
 * @param arch the network
 * @param width base channel width of {@code small_cnn}
 * @param batchNorm batch norm in {@code small_cnn}
 * @param initWeights safetensors weights to start from (torchvision names), or null for random init
 * @param freezeBackbone train only the classifier ({@code fc})
 * @param imageSize square input size in pixels; 0 takes the shards' size from {@code dataset.json}
 * @param epochs passes over the train split
 * @param batchSize images per step and worker
 * @param loaderThreads decoder threads; 0 takes one per core (see {@link #perWorker})
 * @param cropScaleMin smallest area fraction of the random resized crop, in (0, 1]; 1 turns cropping off
 * @param flip random horizontal flip
 * @param seed seed of weight init, data order and augmentation
 * @param loss the loss function
 * @param posWeight per-class positive weights of {@code bce}
 * @param maxPosWeight upper clip of the weights derived from the dataset; 0 derives none
 * @param aslGammaPos ASL focusing exponent of positives
 * @param aslGammaNeg ASL focusing exponent of negatives
 * @param aslMargin ASL probability margin of negatives
 * @param classifierBias how the classifier's biases start (a fresh classifier only)
 * @param optimizer the optimizer
 * @param learningRate peak learning rate
 * @param weightDecay weight decay, never on biases and normalization parameters
 * @param momentum SGD momentum
 * @param nesterov Nesterov momentum for SGD
 * @param warmupSteps linear warmup steps before cosine decay
 * @param gradClip clip the gradients' global L2 norm to this; 0 disables
 * @param distTimeoutSeconds seconds to wait for the other workers at rendezvous and in each collective
 * @param bucketBytes target size of a gradient all-reduce bucket in bytes (DDP's {@code bucket_cap_mb})
 * @param dumpRankWeights every rank writes {@code rank-<r>.safetensors} at the end (to compare replicas)
 * @param torchThreads LibTorch intra-op threads; 0 keeps LibTorch's default
 * @param device where to train
 * @param maxSteps stop after this many steps in total; 0 for no limit
 * @param checkpointEvery also checkpoint every this many steps; 0 at epoch ends only
 * @param keepCheckpoints checkpoints kept in {@code checkpoints/}
 * @param resume continue from the latest checkpoint in {@code outputDir}
 * @param validate compute val macro-F1 and macro-AUC after each epoch (when a val split exists)
 * @param logEvery also print a progress line every this many steps; 0 per epoch only
 * @param validateEvery validate after every this many epochs (and after the last); >= 1, default 1
 * @param valSamples validate on the first this many val records only (all ranks together); 0 (default): all
 */
public record TrainOptions(
    String shardDir, Path outputDir,
    Architecture arch, int width, boolean batchNorm, @Nullable Path initWeights, boolean freezeBackbone, int imageSize,
    int epochs, int batchSize, int loaderThreads, double cropScaleMin, boolean flip, long seed,
    LossFunction loss, PosWeight posWeight, double maxPosWeight, double aslGammaPos, double aslGammaNeg, double aslMargin,
    ClassifierBias classifierBias, OptimizerKind optimizer, double learningRate, double weightDecay, double momentum, boolean nesterov,
    int warmupSteps, double gradClip,
    int distTimeoutSeconds, long bucketBytes, boolean dumpRankWeights,
    int torchThreads, DeviceChoice device, long maxSteps, int checkpointEvery, int keepCheckpoints,
    boolean resume, boolean validate, int logEvery, int validateEvery, long valSamples) {

  /** The networks the trainer builds; state-dict names as torchvision's. */
  public enum Architecture {
    /** Four conv-BN-ReLU blocks; fast, the demo's. */
    SMALL_CNN,
    RESNET18,
    RESNET34,
    RESNET50;

    /** The name on the command line and in {@code model.json}: {@code small_cnn}, {@code resnet18}, ... */
    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The training loss; both are computed from log-sigmoids, finite for any logit. */
  public enum LossFunction {
    /** Sigmoid cross-entropy with logits ({@code BCEWithLogits}) with per-class {@code pos_weight}. */
    BCE,
    /** Asymmetric Loss (Ridnik et al.). */
    ASL,
    /** Softmax cross-entropy against the labels normalized to sum 1 (Mahajan et al.'s large-scale pretraining). */
    SOFTMAX;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * How a fresh classifier's biases start. {@code prior}: each class's bias is the logit of the
   * constant prediction that minimizes the loss on the train split (for {@code bce}, the frequency
   * weighted by the class's {@code pos_weight}: {@code log(w p / (1 - p))}; for {@code asl} and
   * {@code softmax}, the frequency's logit), as RetinaNet's prior initialization: at 11,000 mostly rare
   * classes a zero bias starts every class at 0.5, and the first epochs go to pushing them down instead of
   * learning features. {@code zero}: LibTorch's default (uniform, near zero).
   */
  public enum ClassifierBias {
    PRIOR,
    ZERO;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The optimizer; neither applies weight decay to biases and normalization parameters. */
  public enum OptimizerKind {
    ADAMW,
    /** With {@code momentum} and optionally Nesterov. */
    SGD;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Where {@code bce}'s per-class positive weights come from: {@code dataset} (negatives/positives of
   * the train split, clipped to {@code maxPosWeight}), {@code sqrt} (its square root, clipped), {@code none}, one number for every class (e.g.
   * 49, weighting a positive as 49 negatives), or a file with one weight per class.
   *
   * @param source the kind
   * @param file the weights file, for {@link Source#FILE} only
   * @param value the weight of every class, for {@link Source#CONSTANT} only (> 0)
   */
  public record PosWeight(Source source, Path file, double value) {
    /** The kinds of positive weights. */
    public enum Source { DATASET, SQRT, NONE, FILE, CONSTANT }

    public PosWeight {
      Objects.requireNonNull(source, "source");
      if ((source == Source.FILE) != (file != null)) {
        throw new IllegalArgumentException("a pos-weight file is given with source FILE, and only then");
      }
      if (source == Source.CONSTANT && !(value > 0 && Double.isFinite(value))) {
        throw new IllegalArgumentException("--pos-weight as a number must be > 0, was " + value);
      }
    }

    /** The same weight for every class. */
    public static PosWeight constant(double value) {
      return new PosWeight(Source.CONSTANT, null, value);
    }

    /** Derived from the train split's counts. */
    public static PosWeight dataset() {
      return new PosWeight(Source.DATASET, null, 0);
    }

    /**
     * The square root of the train split's negatives/positives, clipped: a softened weight that still
     * favours rare classes but keeps 0.5 meaningful when most classes are rare (at 11,000 labels the
     * full ratio makes 0.5 the best constant prediction of every class above ~1% prevalence).
     */
    public static PosWeight sqrt() {
      return new PosWeight(Source.SQRT, null, 0);
    }

    /** No positive weights. */
    public static PosWeight none() {
      return new PosWeight(Source.NONE, null, 0);
    }

    /** One weight per class from a text file. */
    public static PosWeight file(Path file) {
      return new PosWeight(Source.FILE, Objects.requireNonNull(file, "file"), 0);
    }

    /** {@code dataset}, {@code none}, a number or a path, as the command line writes it. */
    public static PosWeight parse(String s) {
      if (s.matches("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?")) {
        return constant(Double.parseDouble(s)); // a negative or zero weight is refused there, saying so
      }
      switch (s) {
        case "dataset":
          return dataset();
        case "sqrt":
          return sqrt();
        case "none":
          return none();
        default:
          boolean pathLike = s.contains("/") || s.contains(".");
          if (!pathLike && !java.nio.file.Files.isRegularFile(Path.of(s))) { // a misspelt keyword, not a file
            throw new IllegalArgumentException("--pos-weight must be dataset, sqrt, none, a number > 0 or a file of "
                + "per-class weights; '" + s + "' is none of these");
          }
          return file(Path.of(s));
      }
    }

    @Override
    public String toString() {
      return source == Source.FILE ? file.toString()
          : source == Source.CONSTANT ? Double.toString(value) : source.name().toLowerCase(Locale.ROOT);
    }
  }

  /** Validates every option; a message names the option, the value and what is allowed. */
  public TrainOptions {
    Objects.requireNonNull(shardDir, "shardDir (--shards) must be set");
    Objects.requireNonNull(outputDir, "outputDir (--output) must be set");
    Objects.requireNonNull(arch, "arch");
    Objects.requireNonNull(loss, "loss");
    Objects.requireNonNull(posWeight, "posWeight");
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(device, "device");
    atLeast("width", width, 1);
    atLeast("image-size", imageSize, 0);
    atLeast("epochs", epochs, 1);
    atLeast("batch-size", batchSize, 1);
    atLeast("loader-threads", loaderThreads, 0);
    if (!(cropScaleMin > 0 && cropScaleMin <= 1)) {
      throw new IllegalArgumentException("--crop-scale-min must be in (0, 1], was " + cropScaleMin);
    }
    nonNegative("max-pos-weight", maxPosWeight);
    if (!(learningRate > 0)) {
      throw new IllegalArgumentException("--lr must be > 0, was " + learningRate);
    }
    nonNegative("weight-decay", weightDecay);
    nonNegative("momentum", momentum);
    nonNegative("grad-clip", gradClip);
    nonNegative("asl-gamma-pos", aslGammaPos);
    nonNegative("asl-gamma-neg", aslGammaNeg);
    if (!(aslMargin >= 0 && aslMargin < 1)) {
      throw new IllegalArgumentException("--asl-margin must be in [0, 1), was " + aslMargin);
    }
    atLeast("warmup-steps", warmupSteps, 0);
    atLeast("dist-timeout", distTimeoutSeconds, 1);
    if (bucketBytes < 1) {
      throw new IllegalArgumentException("--bucket-mb must be > 0, was " + bucketBytes + " bytes");
    }
    atLeast("torch-threads", torchThreads, 0);
    if (maxSteps < 0) {
      throw new IllegalArgumentException("--max-steps must be >= 0, was " + maxSteps);
    }
    atLeast("checkpoint-every", checkpointEvery, 0);
    atLeast("keep-checkpoints", keepCheckpoints, 1);
    atLeast("log-every", logEvery, 0);
    atLeast("validate-every", validateEvery, 1);
    if (valSamples < 0) {
      throw new IllegalArgumentException("--val-samples must be >= 0, was " + valSamples);
    }
  }

  private static void atLeast(String option, long v, long min) {
    if (v < min) {
      throw new IllegalArgumentException("--" + option + " must be >= " + min + ", was " + v);
    }
  }

  private static void nonNegative(String option, double v) {
    if (!(v >= 0)) {
      throw new IllegalArgumentException("--" + option + " must be >= 0, was " + v);
    }
  }

  /** Paths as their text ({@code Path.toString}, {@code Path.of}): relative ones stay relative. */
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper().registerModule(new com.fasterxml.jackson.databind.module.SimpleModule()
          .addSerializer(Path.class, new com.fasterxml.jackson.databind.ser.std.ToStringSerializer(Path.class))
          .addDeserializer(Path.class, new com.fasterxml.jackson.databind.deser.std.FromStringDeserializer<Path>(Path.class) {
            private static final long serialVersionUID = 1L;

            @Override
            protected Path _deserialize(String value, com.fasterxml.jackson.databind.DeserializationContext c) {
              return Path.of(value);
            }
          }));

  /**
   * These options as one JSON object (every component by name): what {@code train --workers} and the
   * {@code TrainModel} step hand their worker processes, in a file, instead of a command line to parse
   * again. {@link #fromJson} gives back an equal value.
   */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * The options {@link #toJson} wrote, validated as every value is.
   *
   * @throws IllegalArgumentException when the text is not such an object or an option is invalid
   */
  public static TrainOptions fromJson(String json) {
    try {
      return JSON.readValue(json, TrainOptions.class);
    } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
      throw e.getCause() instanceof IllegalArgumentException iae ? iae : new IllegalArgumentException(e.getMessage(), e);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("not the JSON of training options: " + e.getMessage(), e);
    }
  }

  /** The defaults of every option, with the folders {@code shards} and {@code model}. */
  public static TrainOptions defaults() {
    return builder(Path.of("shards"), Path.of("model")).build();
  }

  /**
   * These options for one of {@code workers} worker processes sharing {@code cores} cores: LibTorch
   * and loader threads left at 0 (automatic) become {@code cores / workers} each (at least 1), so
   * that the workers do not oversubscribe the machine. Explicit values are kept.
   */
  public TrainOptions perWorker(int workers, int cores) {
    if (workers < 1) {
      throw new IllegalArgumentException("--workers must be >= 1, was " + workers);
    }
    int share = Math.max(1, cores / workers);
    return toBuilder()
        .torchThreads(torchThreads == 0 ? share : torchThreads)
        .loaderThreads(loaderThreads == 0 ? share : loaderThreads)
        .build();
  }

  /** The loader threads to start: {@code loaderThreads}, or one per core when it is 0. */
  public int effectiveLoaderThreads() {
    return loaderThreads > 0 ? loaderThreads : Runtime.getRuntime().availableProcessors();
  }

  /** A builder with every default, for the given input and output folders. */
  public static Builder builder(String shardDir, Path outputDir) {
    return new AutoBuilder_TrainOptions_Builder()
        .shardDir(shardDir)
        .outputDir(outputDir)
        .arch(Architecture.SMALL_CNN)
        .width(16)
        .batchNorm(true)
        .imageSize(0)
        .epochs(10)
        .batchSize(64)
        .loaderThreads(0)
        .cropScaleMin(0.25)
        .flip(true)
        .seed(42)
        .loss(LossFunction.BCE)
        .posWeight(PosWeight.none())
        .maxPosWeight(100)
        .aslGammaPos(0)
        .aslGammaNeg(4)
        .aslMargin(0.05)
        .classifierBias(ClassifierBias.PRIOR)
        .optimizer(OptimizerKind.ADAMW)
        .learningRate(3e-3)
        .weightDecay(1e-4)
        .momentum(0.9)
        .warmupSteps(30)
        .gradClip(0)
        .distTimeoutSeconds(60)
        .bucketBytes(25L << 20)
        .torchThreads(0)
        .device(DeviceChoice.AUTO)
        .maxSteps(0)
        .checkpointEvery(0)
        .keepCheckpoints(3)
        .validate(true)
        .logEvery(0)
        .validateEvery(1)
        .valSamples(0)
        .freezeBackbone(false)
        .nesterov(false)
        .dumpRankWeights(false)
        .resume(false);
  }

  /** A builder with the defaults, for a local dataset folder. */
  public static Builder builder(Path shardDir, Path outputDir) {
    return builder(shardDir.toString(), outputDir);
  }

  /** A builder holding these options, to change some of them. */
  public Builder toBuilder() {
    return new AutoBuilder_TrainOptions_Builder(this);
  }

  /**
   * Builds {@link TrainOptions}; {@link #builder} starts it at the defaults of the trainer and of
   * {@code train}. Generated by AutoBuilder from the record's components (one setter per component).
   */
  @AutoBuilder
  public abstract static class Builder {
    Builder() {}

    public abstract Builder shardDir(String v);

    public abstract Builder outputDir(Path v);

    public abstract Builder arch(Architecture v);

    public abstract Builder width(int v);

    public abstract Builder batchNorm(boolean v);

    public abstract Builder initWeights(@Nullable Path v);

    public abstract Builder freezeBackbone(boolean v);

    public abstract Builder imageSize(int v);

    public abstract Builder epochs(int v);

    public abstract Builder batchSize(int v);

    public abstract Builder loaderThreads(int v);

    public abstract Builder cropScaleMin(double v);

    public abstract Builder flip(boolean v);

    public abstract Builder seed(long v);

    public abstract Builder loss(LossFunction v);

    public abstract Builder posWeight(PosWeight v);

    public abstract Builder maxPosWeight(double v);

    public abstract Builder aslGammaPos(double v);

    public abstract Builder aslGammaNeg(double v);

    public abstract Builder aslMargin(double v);

    public abstract Builder classifierBias(ClassifierBias v);

    public abstract Builder optimizer(OptimizerKind v);

    public abstract Builder learningRate(double v);

    public abstract Builder weightDecay(double v);

    public abstract Builder momentum(double v);

    public abstract Builder nesterov(boolean v);

    public abstract Builder warmupSteps(int v);

    public abstract Builder gradClip(double v);

    public abstract Builder distTimeoutSeconds(int v);

    public abstract Builder bucketBytes(long v);

    public abstract Builder dumpRankWeights(boolean v);

    public abstract Builder torchThreads(int v);

    public abstract Builder device(DeviceChoice v);

    public abstract Builder maxSteps(long v);

    public abstract Builder checkpointEvery(int v);

    public abstract Builder keepCheckpoints(int v);

    public abstract Builder resume(boolean v);

    public abstract Builder validate(boolean v);

    public abstract Builder logEvery(int v);

    public abstract Builder validateEvery(int v);

    public abstract Builder valSamples(long v);

    /** The options; throws {@link IllegalArgumentException} naming the first invalid one. */
    public abstract TrainOptions build();
  }
}
