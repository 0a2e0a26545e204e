package dev.labelbeam.trainer.train;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.trainer.TorchRuntime;
import dev.labelbeam.trainer.data.Augment;
import dev.labelbeam.trainer.data.Batch;
import dev.labelbeam.trainer.data.ImageTensorizer;
import dev.labelbeam.trainer.data.ShardLoader;
import dev.labelbeam.trainer.distributed.Collectives;
import dev.labelbeam.trainer.distributed.GradientReducer;
import dev.labelbeam.trainer.distributed.WorkerEnv;
import dev.labelbeam.trainer.model.Checkpoints;
import dev.labelbeam.trainer.model.ModelSpec;
import dev.labelbeam.trainer.model.MultiLabelModel;
import dev.labelbeam.trainer.weights.StateDicts;
import dev.labelbeam.metrics.MultiLabelReport;
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

  private List<EpochReport> train(TrainOptions c, Device device, boolean cuda, boolean lead, Consumer<String> say,
      Collectives coll) throws IOException {
    int world = worker.worldSize;

    DatasetInfo info = DatasetInfo.read(c.shardDir().resolve(DatasetInfo.FILE_NAME));
    LabelVocabulary vocab = LabelVocabulary.read(c.shardDir().resolve(LabelVocabulary.FILE_NAME));
    int numClasses = vocab.size();
    if (info.numClasses != numClasses) {
      throw new IllegalArgumentException("dataset.json has " + info.numClasses + " classes but labels.txt has " + numClasses);
    }
    List<Path> trainShards = info.shardFiles(c.shardDir(), "train");
    if (trainShards.isEmpty()) {
      throw new IllegalArgumentException("dataset.json in " + c.shardDir() + " lists no train shards");
    }
    int size = c.imageSize() > 0 ? c.imageSize() : Math.min(info.imageHeight, info.imageWidth);

    ModelSpec spec = new ModelSpec();
    spec.arch = c.arch().toString();
    spec.width = c.width();
    spec.batchNorm = c.batchNorm();
    spec.numClasses = numClasses;
    spec.imageSize = size;
    spec.labels = new ArrayList<>(vocab.names());
    MultiLabelModel model = spec.build();
    if (c.initWeights() != null) {
      StateDicts.LoadReport r = StateDicts.load(model, c.initWeights(), false);
      say.accept("initial weights " + c.initWeights().getFileName() + ": " + r);
    }
    if (c.freezeBackbone()) {
      freezeAllButClassifier(model);
    }
    if (cuda) {
      model.to(device, false);
    }

    MultiLabelLoss loss = lossFor(info, numClasses, device);
    Optimizer optimizer = Optimizers.create(c, model);
    long stepsPerEpoch = Math.max(1, info.records("train") / world / c.batchSize());
    long totalSteps = stepsPerEpoch * c.epochs();
    if (c.maxSteps() > 0) {
      totalSteps = Math.min(totalSteps, c.maxSteps());
    }
    LrSchedule schedule = new LrSchedule(c.learningRate(), c.warmupSteps(), totalSteps, 0.02);

    ImageTensorizer tensorizer = new ImageTensorizer(size);
    Augment augment = new Augment(Math.min(1, c.cropScaleMin()), 1, c.flip());
    ShardLoader loader = new ShardLoader(trainShards, numClasses, tensorizer, c.batchSize(), c.effectiveLoaderThreads(), true, augment, c.seed())
        .forRank(worker.rank, world, info.records("train"));
    List<Path> valShards = info.shardFiles(c.shardDir(), "val");
    ShardLoader valLoader = lead && c.validate() && !valShards.isEmpty()
        ? new ShardLoader(valShards, numClasses, tensorizer, c.batchSize(), c.effectiveLoaderThreads(), false, Augment.none(), c.seed())
        : null;

    Files.createDirectories(c.outputDir());
    Path log = c.outputDir().resolve("train_log.jsonl");
    TrainCheckpoint.State state = new TrainCheckpoint.State();
    state.seed = c.seed();
    state.arch = c.arch().toString();
    state.epoch = 1;
    state.worldSize = world;
    state.batchSize = c.batchSize();
    long globalBatch = (long) c.batchSize() * world;
    if (c.resume()) {
      TrainCheckpoint.State restored = TrainCheckpoint.restoreLatest(c.outputDir(), model, optimizer);
      if (restored != null) {
        if (restored.seed != c.seed() || !c.arch().toString().equals(restored.arch)) {
          throw new IllegalArgumentException("the checkpoint in " + c.outputDir() + " was made with seed " + restored.seed
              + " and " + restored.arch + ", not " + c.seed() + " and " + c.arch());
        }
        state = restored;
        // the position is kept in records, so a run resumes with the same or another number of workers
        state.globalStep = state.samplesDone / globalBatch;
        state.batchesDone = state.epochSamplesDone / globalBatch;
        state.worldSize = world;
        state.batchSize = c.batchSize();
        say.accept("resuming at step " + state.globalStep + " (epoch " + state.epoch + ", batch " + state.batchesDone + ")");
      }
    } else if (lead) {
      Files.deleteIfExists(log);
    }
    if (coll != null) {
      coll.broadcastState(model); // every rank starts from rank 0's weights
      reducer = coll.reducer(java.util.Arrays.asList(TrainStep.trainable(model).get()), c.bucketBytes());
      say.accept("gradients averaged in " + reducer.bucketCount() + " bucket(s) of about "
          + String.format(java.util.Locale.ROOT, "%.3g", c.bucketBytes() / 1048576.0) + " MB, overlapped with backward");
    }

    TrainStep step = new TrainStep(model, loss, optimizer, device, reducer, c.gradClip());
    List<EpochReport> reports = new ArrayList<>();
    long started = System.nanoTime();
    long stepsThisProcess = 0;
    model.train(true);
    while (state.epoch <= c.epochs() && state.globalStep < totalSteps) {
      long t0 = System.nanoTime();
      double lossSum = 0;
      long batches = 0;
      long images = 0;
      try (ShardLoader.Epoch batchesOfEpoch = loader.epoch(state.epoch, state.batchesDone)) {
        for (Batch b = batchesOfEpoch.next(); b != null && state.globalStep < totalSteps; b = batchesOfEpoch.next()) {
          lossSum += step.run(b.images, b.targets, b.size, size, numClasses, schedule.at(state.globalStep));
          batches++;
          images += (long) b.size * world;
          state.globalStep++;
          state.batchesDone++;
          state.samplesDone += globalBatch;
          state.epochSamplesDone += globalBatch;
          stepsThisProcess++;
          if (lead && c.checkpointEvery() > 0 && state.globalStep % c.checkpointEvery() == 0) {
            TrainCheckpoint.save(c.outputDir(), model, optimizer, state, c.keepCheckpoints());
          }
          if (c.logEvery() > 0 && state.globalStep % c.logEvery() == 0) {
            double rate = stepsThisProcess / ((System.nanoTime() - started) / 1e9);
            say.accept(String.format(java.util.Locale.ROOT, "  step %d/%d  loss %.4f  ETA %s", state.globalStep, totalSteps,
                lossSum / batches, EpochReport.eta((totalSteps - state.globalStep) / rate)));
          }
          afterStep.accept(state.globalStep);
        }
      }
      double meanLoss = batches == 0 ? Double.NaN : lossSum / batches;
      if (coll != null) {
        meanLoss = coll.mean(meanLoss);
      }
      EpochReport r = new EpochReport(state.epoch, c.epochs(), meanLoss, images, (System.nanoTime() - t0) / 1e9, state.globalStep);
      if (valLoader != null) {
        MultiLabelReport v = Validation.run(model, valLoader, numClasses, size, device);
        r.valMacroF1 = v.macro.f1;
        r.valMacroAuc = v.macro.auc == null ? Double.NaN : v.macro.auc;
      }
      double rate = stepsThisProcess / ((System.nanoTime() - started) / 1e9);
      r.etaSeconds = rate > 0 ? (totalSteps - state.globalStep) / rate : 0;
      reports.add(r);
      say.accept(r.line());
      state.epoch++;
      state.batchesDone = 0;
      state.epochSamplesDone = 0;
      if (lead) {
        Files.writeString(log, r.json() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        TrainCheckpoint.save(c.outputDir(), model, optimizer, state, c.keepCheckpoints());
      }
    }
    if (cuda) {
      model.to(new Device(torch.DeviceType.CPU), false);
    }
    if (c.dumpRankWeights()) {
      StateDicts.save(model, c.outputDir().resolve("rank-" + worker.rank + ".safetensors"), Map.of());
    }
    if (lead) {
      Checkpoints.save(model, spec, c.outputDir());
      StateDicts.save(model, c.outputDir().resolve("model.safetensors"), Map.of("arch", c.arch().toString(), "labels", String.join("\n", vocab.names())));
    }
    if (coll != null) {
      coll.barrier();
    }
    loss.close();
    return reports;
  }

  private MultiLabelLoss lossFor(DatasetInfo info, int numClasses, Device device) throws IOException {
    TrainOptions c = config;
    if (c.loss() == TrainOptions.LossFunction.ASL) {
      return MultiLabelLoss.asymmetric(c.aslGammaPos(), c.aslGammaNeg(), c.aslMargin());
    }
    float[] pw;
    switch (c.posWeight().source()) {
      case NONE:
        return MultiLabelLoss.bce(null);
      case DATASET:
        pw = c.maxPosWeight() > 0 ? PosWeights.fromCounts(info.positiveCounts("train"), info.records("train"), c.maxPosWeight()) : null;
        break;
      default:
        pw = PosWeights.fromFile(c.posWeight().file(), numClasses);
    }
    if (pw == null) {
      return MultiLabelLoss.bce(null);
    }
    Tensor t = Tensor.create(pw);
    return MultiLabelLoss.bce(device.is_cuda() ? t.to(device, torch.ScalarType.Float) : t);
  }

  private static void freezeAllButClassifier(MultiLabelModel model) {
    StringTensorDictItemVector items = model.named_parameters(true).items();
    for (long i = 0; i < items.size(); i++) {
      String name = items.get(i).key().getString();
      items.get(i).value().set_requires_grad(name.startsWith("fc.")); // the classifier is "fc" in every model
    }
  }
}
