package dev.labelbeam.trainer.train;

import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.LabelMatch;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.shard.Storage;
import dev.labelbeam.trainer.TorchRuntime;
import dev.labelbeam.trainer.data.Augment;
import dev.labelbeam.trainer.data.Batch;
import dev.labelbeam.trainer.data.ImageTensorizer;
import dev.labelbeam.trainer.data.ShardLoader;
import dev.labelbeam.trainer.distributed.Collectives;
import dev.labelbeam.trainer.distributed.GradientReducer;
import dev.labelbeam.trainer.distributed.WorkerEnv;
import dev.labelbeam.trainer.log.TensorBoardLog;
import dev.labelbeam.trainer.model.Checkpoints;
import dev.labelbeam.trainer.model.ModelSpec;
import dev.labelbeam.trainer.model.MultiLabelModel;
import dev.labelbeam.trainer.weights.StateDicts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.StringTensorDictItemVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains a multi-label model on the shards of a preprocess run.
 *
 * <ul>
 *   <li>Data: {@link ShardLoader} (deterministic order, parallel decoding, random resized crop and
 *       flip), the shards {@code dataset.json} lists.
 *   <li>Model: {@code small_cnn} or ResNet-18/34/50 with torchvision's names, optionally from
 *       safetensors weights (a classifier of another shape is replaced), optionally with a frozen
 *       backbone.
 *   <li>Loss: {@code BCEWithLogits} with {@code pos_weight} (from {@code dataset.json}, a file, or
 *       none), or Asymmetric Loss. Optimizer: AdamW or SGD with momentum, no weight decay on biases
 *       and norms, warmup then cosine decay, optional gradient clipping.
 *   <li>On CUDA: bf16 autocast, channels_last activations, pinned host batches copied without
 *       blocking. (LibTorch's C++ modules cannot convert their parameters' memory format; cuDNN
 *       converts the weights per call.)
 *   <li>Checkpoints every N steps and at each epoch end; {@code resume} continues from the latest
 *       with weights, optimizer state, schedule position and data order restored, so an interrupted
 *       run ends with the weights of an uninterrupted one.
 *   <li>One progress line per epoch (and every {@code logEvery} steps) with loss, images/s, val
 *       macro-F1/AUC and ETA; the same in {@code train_log.jsonl}.
 * </ul>
 *
 * <p>Data parallel (a {@link WorkerEnv} with more than one worker): the workers meet through
 * a {@code TCPStore}, rank 0's weights are broadcast, each rank reads its own part of every epoch
 * ({@link ShardLoader#forRank}), gradients are averaged by bucketed all-reduce after each backward
 * pass, and only rank 0 validates, logs and writes checkpoints and the model.
 *
 * <p>Each step ({@link TrainStep}) runs inside a {@code PointerScope}, so native memory stays flat across steps.
 */
public final class Trainer {
  private final TrainOptions config;
  private final WorkerEnv worker;
  private final Consumer<String> progress;
  private LongConsumer afterStep = step -> {};
  private Storage storage = Storage.local();
  /** Averages gradients over the workers during backward; null in a single-worker run. */
  private GradientReducer reducer;

  /**
   * A trainer for {@code options}, running as {@code worker} (use {@link WorkerEnv#single()} for one
   * process), printing progress lines to {@code progress} (rank 0 only).
   */
  public Trainer(TrainOptions options, WorkerEnv worker, Consumer<String> progress) {
    this.config = options;
    this.worker = worker;
    this.progress = progress;
  }

  /**
   * Calls {@code listener} with the global step number after every optimization step of this
   * process (e.g. for a progress bar or to stop the run: an exception it throws ends the run as a
   * kill would, after the last checkpoint).
   */
  public Trainer onStep(LongConsumer listener) {
    this.afterStep = listener;
    return this;
  }

  /**
   * Where the dataset is read from (default local files); the command line passes Beam's
   * filesystems, so that {@code --shards gs://...} works wherever preprocess wrote.
   */
  public Trainer readingFrom(Storage s) {
    this.storage = java.util.Objects.requireNonNull(s, "storage");
    return this;
  }

  /** Runs the training and returns the reports of the epochs this process ran. */
  public List<EpochReport> run() throws IOException {
    TrainOptions c = config;
    TorchRuntime.load();
    if (c.torchThreads() > 0) {
      torch.set_num_threads(c.torchThreads());
    }
    torch.manual_seed(c.seed());
    Device device = TorchRuntime.device(c.device());
    boolean cuda = device.is_cuda();
    if (cuda && worker.distributed()) {
      device = new Device(torch.DeviceType.CUDA, (byte) worker.localRank); // one GPU per worker
    }
    boolean lead = worker.rank == 0;
    Consumer<String> say = lead ? progress : s -> {};
    Collectives coll = worker.distributed() ? Collectives.connect(worker, c.distTimeoutSeconds() * 1000L, cuda) : null;
    try {
      return train(c, device, cuda, lead, say, coll);
    } finally {
      if (reducer != null) {
        reducer.close();
        reducer = null;
      }
      if (coll != null) {
        coll.close();
      }
    }
  }

  /** What set-up builds once and the loop, validation and checkpointing use. */
  private static final class Setup {
    DatasetInfo info;
    /** SHA-256 of dataset.json's text: with the labels, the identity a checkpoint records. */
    String datasetSha256;
    LabelVocabulary vocab;
    int numClasses;
    int imageSize;
    ModelSpec spec;
    MultiLabelModel model;
    MultiLabelLoss loss;
    Optimizer optimizer;
    long totalSteps;
    LrSchedule schedule;
    ShardLoader loader;
    /** Null unless this rank validates. */
    ShardLoader valLoader;
    long globalBatch;
  }

  /** Set-up, then epochs of steps with validation and checkpoints, then the model files. */
  private List<EpochReport> train(TrainOptions c, Device device, boolean cuda, boolean lead, Consumer<String> say,
      Collectives coll) throws IOException {
    Setup s = setUp(c, device, cuda, lead, say);
    Files.createDirectories(c.outputDir());
    Path log = c.outputDir().resolve("train_log.jsonl");
    TrainCheckpoint.State state = startOrResume(c, s, say);
    if (!c.resume() && lead) {
      Files.deleteIfExists(log);
    }
    if (coll != null) {
      coll.broadcastState(s.model); // every rank starts from rank 0's weights
      reducer = coll.reducer(java.util.Arrays.asList(TrainStep.trainable(s.model).get()), c.bucketBytes());
      say.accept("gradients averaged in " + reducer.bucketCount() + " bucket(s) of about "
          + String.format(java.util.Locale.ROOT, "%.3g", c.bucketBytes() / 1048576.0) + " MB, overlapped with backward");
    }

    TrainStep step = new TrainStep(s.model, s.loss, s.optimizer, device, reducer, c.gradClip());
    List<EpochReport> reports = new ArrayList<>();
    Progress progress = new Progress();
    s.model.train(true);
    // rank 0 writes the TensorBoard curves; a resumed run drops the events after its checkpoint's step
    try (TensorBoardLog tb = lead ? TensorBoardLog.open(c.outputDir().resolve(TensorBoardLog.FOLDER),
        c.resume() ? state.globalStep : -1) : null) {
      while (state.epoch <= c.epochs() && state.globalStep < s.totalSteps) {
        EpochReport r = runEpoch(c, s, step, state, lead, say, progress, coll);
        boolean validateNow = state.epoch % c.validateEvery() == 0 || state.epoch == c.epochs();
        Double valMap = null;
        if (s.valLoader != null && validateNow) {
          long v0 = System.nanoTime();
          MultiLabelReport v = Validation.run(s.model, s.valLoader, s.numClasses, s.imageSize, device, coll, lead);
          r.valSeconds = (System.nanoTime() - v0) / 1e9;
          if (v != null) {
            r.valMacroF1 = v.macro().f1();
            r.valMacroAuc = v.macro().auc() == null ? Double.NaN : v.macro().auc();
            valMap = v.macro().ap();
          }
        }
        if (tb != null) {
          Map<String, Double> scalars = new java.util.LinkedHashMap<>();
          scalars.put("train/loss", r.meanLoss);
          scalars.put("train/images_per_second", r.imagesPerSecond());
          scalars.put("train/learning_rate", s.schedule.at(Math.max(0, state.globalStep - 1)));
          scalars.put("val/macro_f1", r.valMacroF1);
          scalars.put("val/macro_auc", r.valMacroAuc);
          scalars.put("val/map", valMap);
          tb.scalars(state.globalStep, scalars);
        }
        double rate = progress.stepsPerSecond();
        r.etaSeconds = rate > 0 ? (s.totalSteps - state.globalStep) / rate : 0;
        reports.add(r);
        say.accept(r.line());
        if (r.complete) {
          state.epoch++;
          state.batchesDone = 0;
          state.epochSamplesDone = 0;
        }
        if (lead) {
          Files.writeString(log, r.json() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
          TrainCheckpoint.save(c.outputDir(), s.model, s.optimizer, state, c.keepCheckpoints());
        }
      }
    }
    saveModel(c, s, cuda, lead);
    if (coll != null) {
      coll.barrier();
    }
    s.loss.close();
    return reports;
  }

  /** Reads the dataset and builds the model, loss, optimizer, schedule and loaders. */
  private Setup setUp(TrainOptions c, Device device, boolean cuda, boolean lead, Consumer<String> say) throws IOException {
    int world = worker.worldSize;
    Setup s = new Setup();
    String infoText = storage.readInfoText(c.shardDir());
    s.info = DatasetInfo.fromJson(infoText);
    s.datasetSha256 = DatasetInfo.sha256(infoText);
    s.vocab = storage.readVocabulary(c.shardDir(), s.info);
    s.numClasses = s.vocab.size();
    if (s.info.numClasses != s.numClasses) {
      throw new IllegalArgumentException("dataset.json has " + s.info.numClasses + " classes but labels.txt has "
          + s.numClasses);
    }
    List<String> trainShards = s.info.shardPaths(storage, c.shardDir(), "train");
    if (trainShards.isEmpty()) {
      throw new IllegalArgumentException("dataset.json in " + c.shardDir() + " lists no train shards");
    }
    s.imageSize = c.imageSize() > 0 ? c.imageSize() : Math.min(s.info.imageHeight, s.info.imageWidth);

    s.spec = new ModelSpec();
    s.spec.arch = c.arch().toString();
    s.spec.width = c.width();
    s.spec.batchNorm = c.batchNorm();
    s.spec.numClasses = s.numClasses;
    s.spec.imageSize = s.imageSize;
    s.spec.labels = new ArrayList<>(s.vocab.names());
    s.model = s.spec.build();
    boolean freshClassifier = true;
    if (c.initWeights() != null) {
      checkInitLabels(c.initWeights(), s.spec.labels);
      Map<String, dev.labelbeam.trainer.weights.Safetensors.Entry> init = StateDicts.readWeights(c.initWeights());
      StateDicts.LoadReport r = StateDicts.load(s.model, init, c.initWeights(), false);
      List<String> problems = r.backboneProblems();
      if (!problems.isEmpty()) {
        String arch = StateDicts.architectureOf(init.keySet());
        throw new IllegalArgumentException("--init " + c.initWeights().getFileName() + " does not fit --arch "
            + c.arch() + ": " + problems.size() + " tensors outside the classifier are missing, of another shape or "
            + "extra (" + String.join(", ", problems.subList(0, Math.min(4, problems.size())))
            + (problems.size() > 4 ? ", ..." : "") + "), so the backbone would " + (c.freezeBackbone() ? "stay" : "start")
            + " random. " + (arch != null && !arch.equals(c.arch().toString())
                ? "The file holds a " + arch + ": pass --arch " + arch + "."
                : "Pass the --arch the weights were trained with (resnet18, resnet34, resnet50 or small_cnn)."));
      }
      say.accept("initial weights " + c.initWeights().getFileName() + ": " + r);
      freshClassifier = !r.loaded.contains("fc.bias");
    }
    warnOfClassesWithoutPositives(s.info, s.vocab, say);
    float[] posWeights = posWeightsFor(s.info, s.numClasses);
    if (freshClassifier && c.classifierBias() == TrainOptions.ClassifierBias.PRIOR) {
      setPriorBias(s.model, s.info, posWeights, c.loss() == TrainOptions.LossFunction.SOFTMAX);
    }
    if (c.freezeBackbone()) {
      freezeAllButClassifier(s.model);
    }
    if (cuda) {
      s.model.to(device, false);
    }

    s.loss = lossFor(posWeights, device);
    s.optimizer = Optimizers.create(c, s.model);
    long perWorker = s.info.records("train") / world;
    if (perWorker < c.batchSize()) {
      // every batch is full (the last partial one is dropped): no step would run and an untrained model be written
      throw new IllegalArgumentException("--batch-size " + c.batchSize() + " is larger than the train split's "
          + s.info.records("train") + " records" + (world > 1 ? " over " + world + " workers (" + perWorker + " each)" : "")
          + ": no full batch, so no training step. Use --batch-size " + Math.max(1, perWorker) + " or less");
    }
    long stepsPerEpoch = Math.max(1, perWorker / c.batchSize());
    long runSteps = stepsPerEpoch * c.epochs();
    // --max-steps stops the run early; the schedule stays the whole run's, so that a run stopped by it
    // and resumed (with a larger --max-steps or none) ends with the weights of an uninterrupted run
    s.totalSteps = c.maxSteps() > 0 ? Math.min(runSteps, c.maxSteps()) : runSteps;
    s.schedule = new LrSchedule(c.learningRate(), c.warmupSteps(), runSteps, 0.02);
    s.globalBatch = (long) c.batchSize() * world;

    ImageTensorizer tensorizer = new ImageTensorizer(s.imageSize);
    Augment augment = new Augment(Math.min(1, c.cropScaleMin()), 1, c.flip());
    List<String> valShards = s.info.shardPaths(storage, c.shardDir(), "val");
    storage.checkSizes(s.info, trainShards); // a shard cut or grown since preprocess fails before training
    storage.checkSizes(s.info, valShards);
    s.loader = new ShardLoader(storage, trainShards, s.numClasses, tensorizer, c.batchSize(), c.effectiveLoaderThreads(), true,
        augment, c.seed()).verifiedAgainst(s.info).forRank(worker.rank, world, s.info.records("train"));
    // every rank validates its share (records r, r + W, ...; all of them: the share is rounded up)
    long valRecords = c.valSamples() > 0 ? Math.min(c.valSamples(), s.info.records("val")) : s.info.records("val");
    s.valLoader = c.validate() && !valShards.isEmpty()
        ? new ShardLoader(storage, valShards, s.numClasses, tensorizer, c.batchSize(), c.effectiveLoaderThreads(), false,
            Augment.none(), c.seed()).verifiedAgainst(s.info).forRank(worker.rank, world, (valRecords + world - 1) / world * world)
        : null;
    return s;
  }

  /** A fresh position, or with {@code resume} the latest checkpoint's (weights and optimizer restored). */
  private TrainCheckpoint.State startOrResume(TrainOptions c, Setup s, Consumer<String> say) throws IOException {
    TrainCheckpoint.State state = new TrainCheckpoint.State();
    state.seed = c.seed();
    state.arch = c.arch().toString();
    state.epoch = 1;
    state.worldSize = worker.worldSize;
    state.batchSize = c.batchSize();
    state.labels = s.spec.labels;
    state.datasetSha256 = s.datasetSha256;
    if (!c.resume()) {
      return state;
    }
    checkSameRun(TrainCheckpoint.latestState(c.outputDir()), s, c);
    TrainCheckpoint.State restored = TrainCheckpoint.restoreLatest(c.outputDir(), s.model, s.optimizer);
    if (restored == null) {
      return state;
    }
    if (restored.seed != c.seed() || !c.arch().toString().equals(restored.arch)) {
      throw new IllegalArgumentException("the checkpoint in " + c.outputDir() + " was made with seed " + restored.seed
          + " and " + restored.arch + ", not " + c.seed() + " and " + c.arch());
    }
    // the position is kept in records, so a run resumes with the same or another number of workers
    restored.globalStep = restored.samplesDone / s.globalBatch;
    restored.batchesDone = restored.epochSamplesDone / s.globalBatch;
    restored.worldSize = worker.worldSize;
    restored.batchSize = c.batchSize();
    restored.labels = state.labels;
    restored.datasetSha256 = state.datasetSha256;
    say.accept("resuming at step " + restored.globalStep + " (epoch " + restored.epoch + ", batch " + restored.batchesDone
        + ")");
    return restored;
  }

  /**
   * Refuses to resume a checkpoint of another run: other labels (or order) or another dataset.json.
   * Checked before any weight is loaded, so the message is ours, not LibTorch's.
   */
  private static void checkSameRun(TrainCheckpoint.State saved, Setup s, TrainOptions c) {
    if (saved == null) {
      return;
    }
    if (saved.labels != null) {
      String problem = LabelMatch.problem("the checkpoint in " + c.outputDir(), saved.labels,
          "the labels.txt of " + c.shardDir(), s.spec.labels);
      if (problem != null) {
        throw new IllegalArgumentException(problem + ": --resume continues a run on the data it started on. Give "
            + "that run's --shards, or start a new run (--overwrite, or another --output)");
      }
    }
    if (saved.datasetSha256 != null && !saved.datasetSha256.equals(s.datasetSha256)) {
      throw new IllegalArgumentException("the checkpoint in " + c.outputDir() + " was trained on another dataset "
          + "(its dataset.json differs from the one in " + c.shardDir() + "): --resume continues a run on the data it "
          + "started on. Give that run's --shards, or start a new run (--overwrite, or another --output)");
    }
  }

  /**
   * When the --init weights come from a labelbeam model folder (a model.json beside them) with as many
   * classes as the data, its classifier would be kept: its rows must then be the data's labels in order.
   * (With another class count the classifier is replaced; other weight files carry no labels.)
   */
  private static void checkInitLabels(Path init, List<String> dataLabels) throws IOException {
    Path spec = init.resolveSibling(ModelSpec.FILE_NAME);
    if (!Files.isRegularFile(spec)) {
      return;
    }
    List<String> modelLabels = ModelSpec.read(spec).labels;
    if (modelLabels.size() != dataLabels.size()) {
      return;
    }
    String problem = LabelMatch.problem("the --init model (" + spec + ")", modelLabels, "the data's labels.txt",
        dataLabels);
    if (problem != null) {
      throw new IllegalArgumentException(problem + ": its classifier would be kept for other labels. Preprocess with "
          + "that model's labels (--labels, in its order), or start from weights without its classifier");
    }
  }

  /** Steps this process has run and since when: the rate behind the ETA. */
  private static final class Progress {
    final long started = System.nanoTime();
    long steps;

    double stepsPerSecond() {
      return steps / ((System.nanoTime() - started) / 1e9);
    }
  }

  /** The steps of one epoch (from the restored batch on), with step checkpoints and step log lines; the loss averaged over ranks. */
  private EpochReport runEpoch(TrainOptions c, Setup s, TrainStep step, TrainCheckpoint.State state, boolean lead,
      Consumer<String> say, Progress progress, Collectives coll) throws IOException {
    long t0 = System.nanoTime();
    double lossSum = 0;
    long batches = 0;
    long images = 0;
    boolean complete = false;
    try (ShardLoader.Epoch batchesOfEpoch = s.loader.epoch(state.epoch, state.batchesDone)) {
      for (Batch b = batchesOfEpoch.next(); ; b = batchesOfEpoch.next()) {
        if (b == null) {
          complete = true;
          break;
        }
        if (state.globalStep >= s.totalSteps) {
          break; // --max-steps: the epoch goes on from this batch on --resume
        }
        lossSum += step.run(b.images, b.targets, b.size, s.imageSize, s.numClasses, s.schedule.at(state.globalStep));
        batches++;
        images += (long) b.size * worker.worldSize;
        state.globalStep++;
        state.batchesDone++;
        state.samplesDone += s.globalBatch;
        state.epochSamplesDone += s.globalBatch;
        progress.steps++;
        if (lead && c.checkpointEvery() > 0 && state.globalStep % c.checkpointEvery() == 0) {
          TrainCheckpoint.save(c.outputDir(), s.model, s.optimizer, state, c.keepCheckpoints());
        }
        if (c.logEvery() > 0 && state.globalStep % c.logEvery() == 0) {
          say.accept(String.format(java.util.Locale.ROOT, "  step %d/%d  loss %.4f  ETA %s", state.globalStep,
              s.totalSteps, lossSum / batches, EpochReport.eta((s.totalSteps - state.globalStep) / progress.stepsPerSecond())));
        }
        afterStep.accept(state.globalStep);
      }
    }
    double meanLoss = batches == 0 ? Double.NaN : lossSum / batches;
    if (coll != null) {
      meanLoss = coll.mean(meanLoss); // every rank's mean, the same on all
    }
    EpochReport r = new EpochReport(state.epoch, c.epochs(), meanLoss, images, (System.nanoTime() - t0) / 1e9,
        state.globalStep);
    r.complete = complete;
    return r;
  }

  /** Rank 0 writes model.pt, model.json and model.safetensors (and every rank its weights when asked). */
  private void saveModel(TrainOptions c, Setup s, boolean cuda, boolean lead) throws IOException {
    if (cuda) {
      s.model.to(new Device(torch.DeviceType.CPU), false);
    }
    if (c.dumpRankWeights()) {
      StateDicts.save(s.model, c.outputDir().resolve("rank-" + worker.rank + ".safetensors"), Map.of());
    }
    if (lead) {
      Checkpoints.save(s.model, s.spec, c.outputDir());
      StateDicts.save(s.model, c.outputDir().resolve("model.safetensors"),
          Map.of("arch", c.arch().toString(), "labels", String.join("\n", s.vocab.names())));
    }
  }

  private MultiLabelLoss lossFor(float[] posWeights, Device device) {
    TrainOptions c = config;
    if (c.loss() == TrainOptions.LossFunction.ASL) {
      return MultiLabelLoss.asymmetric(c.aslGammaPos(), c.aslGammaNeg(), c.aslMargin());
    }
    if (c.loss() == TrainOptions.LossFunction.SOFTMAX) {
      return MultiLabelLoss.softmax(); // pos_weight applies to bce only
    }
    if (posWeights == null) {
      return MultiLabelLoss.bce(null);
    }
    Tensor t = Tensor.create(posWeights);
    return MultiLabelLoss.bce(device.is_cuda() ? t.to(device, torch.ScalarType.Float) : t);
  }

  /** {@code bce}'s per-class positive weights as the options ask for them; null: none. */
  /**
   * Says which classes have no positive in the train split: the model cannot learn them (a misspelt
   * labels key or a labels.txt of other names once made every class so, and training ran on).
   */
  static void warnOfClassesWithoutPositives(DatasetInfo info, LabelVocabulary vocab, Consumer<String> say) {
    long[] pos = info.positiveCounts("train");
    List<String> none = new ArrayList<>();
    for (int c = 0; c < pos.length; c++) {
      if (pos[c] == 0) {
        none.add(vocab.name(c));
      }
    }
    if (!none.isEmpty()) {
      say.accept("warning: " + none.size() + " of " + pos.length + " classes have no positive in the train split ("
          + String.join(", ", none.subList(0, Math.min(5, none.size()))) + (none.size() > 5 ? ", ..." : "")
          + "): they cannot be learned" + (none.size() == pos.length ? "; no image has a label: check the manifest's "
              + "labels (dataset.json positiveCounts)" : ""));
    }
  }

  private float[] posWeightsFor(DatasetInfo info, int numClasses) throws IOException {
    TrainOptions c = config;
    if (c.loss() != TrainOptions.LossFunction.BCE) {
      return null;
    }
    switch (c.posWeight().source()) {
      case NONE:
        return null;
      case DATASET:
      case SQRT:
        return c.maxPosWeight() > 0 ? PosWeights.fromCounts(info.positiveCounts("train"), info.records("train"),
            c.maxPosWeight(), c.posWeight().source() == TrainOptions.PosWeight.Source.SQRT) : null;
      case CONSTANT:
        float[] pw = new float[numClasses];
        java.util.Arrays.fill(pw, (float) c.posWeight().value());
        return pw;
      default:
        return PosWeights.fromFile(c.posWeight().file(), numClasses);
    }
  }

  /**
   * Starts the classifier's biases at each class's best constant prediction ({@link PriorBias}); the
   * same on every rank, since it comes from {@code dataset.json}.
   */
  private static void setPriorBias(MultiLabelModel model, DatasetInfo info, float[] posWeights, boolean softmax) {
    float[] b = PriorBias.of(info.positiveCounts("train"), info.records("train"), posWeights, softmax);
    try (org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
      model.classifier().bias().copy_(Tensor.create(b));
    }
  }

  private static void freezeAllButClassifier(MultiLabelModel model) {
    StringTensorDictItemVector items = model.named_parameters(true).items();
    for (long i = 0; i < items.size(); i++) {
      String name = items.get(i).key().getString();
      items.get(i).value().set_requires_grad(name.startsWith("fc.")); // the classifier is "fc" in every model
    }
  }
}
