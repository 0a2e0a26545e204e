package dev.labelbeam.trainer.train;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.trainer.TorchRuntime;
import dev.labelbeam.trainer.data.Batch;
import dev.labelbeam.trainer.data.ImageTensorizer;
import dev.labelbeam.trainer.data.ShardLoader;
import dev.labelbeam.trainer.model.Checkpoints;
import dev.labelbeam.trainer.model.ModelSpec;
import dev.labelbeam.trainer.model.MultiLabelModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.BCEWithLogitsLossImpl;
import org.bytedeco.pytorch.BCEWithLogitsLossOptions;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains a multi-label model on the shards of a preprocess run: loader threads read the train
 * split, the loss is {@code BCEWithLogits} (the fused, numerically stable sigmoid cross-entropy)
 * with per-class {@code pos_weight} derived from {@code dataset.json}, the optimizer AdamW with
 * warmup and cosine decay. One progress line per epoch goes to the {@code progress} consumer and to
 * {@code train_log.jsonl}; the checkpoint is written at the end.
 *
 * <p>Each step runs inside a {@code PointerScope}, so native memory stays flat across steps.
 */
public final class Trainer {
  private final TrainConfig config;
  private final Consumer<String> progress;

  public Trainer(TrainConfig config, Consumer<String> progress) {
    this.config = config;
    this.progress = progress;
  }

  /** Runs the training and returns the per-epoch reports. */
  public List<EpochReport> run() throws IOException {
    TorchRuntime.load();
    if (config.torchThreads > 0) {
      torch.set_num_threads(config.torchThreads);
    }
    torch.manual_seed(config.seed);
    Device device = TorchRuntime.device(config.device);
    boolean cuda = device.is_cuda();

    DatasetInfo info = DatasetInfo.read(config.shardDir.resolve(DatasetInfo.FILE_NAME));
    LabelVocabulary vocab = LabelVocabulary.read(config.shardDir.resolve(LabelVocabulary.FILE_NAME));
    int numClasses = vocab.size();
    if (info.numClasses != numClasses) {
      throw new IllegalArgumentException("dataset.json has " + info.numClasses + " classes but labels.txt has " + numClasses);
    }
    List<Path> shards = new ArrayList<>();
    for (String name : info.shards.getOrDefault("train", List.of())) {
      shards.add(config.shardDir.resolve(name));
    }
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("dataset.json in " + config.shardDir + " lists no train shards");
    }
    int size = config.imageSize > 0 ? config.imageSize : Math.min(info.imageHeight, info.imageWidth);

    ModelSpec spec = new ModelSpec();
    spec.width = config.width;
    spec.numClasses = numClasses;
    spec.imageSize = size;
    spec.labels = new ArrayList<>(vocab.names());
    MultiLabelModel model = spec.build();
    if (cuda) {
      model.to(device, false);
    }

    BCEWithLogitsLossOptions lossOptions = new BCEWithLogitsLossOptions();
    if (config.maxPosWeight > 0) {
      float[] pw = PosWeights.fromCounts(info.positiveCounts("train"), info.records("train"), config.maxPosWeight);
      Tensor posWeight = Tensor.create(pw);
      lossOptions.pos_weight().put(cuda ? posWeight.to(device, torch.ScalarType.Float) : posWeight);
    }
    BCEWithLogitsLossImpl loss = new BCEWithLogitsLossImpl(lossOptions);

    AdamWOptions adamw = new AdamWOptions(config.learningRate);
    adamw.weight_decay().put(config.weightDecay);
    AdamW optimizer = new AdamW(model.parameters(), adamw);

    long stepsPerEpoch = Math.max(1, info.records("train") / config.batchSize);
    long totalSteps = stepsPerEpoch * config.epochs;
    if (config.maxSteps > 0) {
      totalSteps = Math.min(totalSteps, config.maxSteps);
    }
    LrSchedule schedule = new LrSchedule(config.learningRate, config.warmupSteps, totalSteps, 0.02);

    ImageTensorizer tensorizer = new ImageTensorizer(size);
    ShardLoader loader = new ShardLoader(shards, numClasses, tensorizer, config.batchSize,
        config.loaderThreads, true, config.seed);
    Files.createDirectories(config.outputDir);
    Path log = config.outputDir.resolve("train_log.jsonl");
    Files.deleteIfExists(log);

    List<EpochReport> reports = new ArrayList<>();
    long step = 0;
    for (int epoch = 1; epoch <= config.epochs && step < totalSteps; epoch++) {
      model.train(true);
      long start = System.nanoTime();
      double lossSum = 0;
      long batches = 0;
      long images = 0;
      try (ShardLoader.Epoch batchesOfEpoch = loader.epoch(epoch)) {
        for (Batch b = batchesOfEpoch.next(); b != null && step < totalSteps; b = batchesOfEpoch.next()) {
          try (PointerScope scope = new PointerScope()) {
            optimizer.param_groups().get(0).options().set_lr(schedule.at(step));
            Tensor x = Tensor.create(b.images, b.size, 3, size, size);
            Tensor y = Tensor.create(b.targets, b.size, numClasses);
            if (cuda) {
              x = x.to(device, torch.ScalarType.Float);
              y = y.to(device, torch.ScalarType.Float);
            }
            optimizer.zero_grad();
            Tensor l = loss.forward(model.forward(x), y);
            l.backward();
            optimizer.step();
            lossSum += l.item_float();
          }
          batches++;
          images += b.size;
          step++;
        }
      }
      EpochReport r = new EpochReport(epoch, config.epochs, batches == 0 ? Double.NaN : lossSum / batches,
          images, (System.nanoTime() - start) / 1e9);
      reports.add(r);
      progress.accept(r.line());
      Files.writeString(log, r.json() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
    if (cuda) {
      model.to(new Device(torch.DeviceType.CPU), false);
    }
    Checkpoints.save(model, spec, config.outputDir);
    return reports;
  }
}
