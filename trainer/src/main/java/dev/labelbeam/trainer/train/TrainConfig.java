package dev.labelbeam.trainer.train;

import java.nio.file.Path;

/** Options of a training run; the {@code train} command maps its flags onto these fields. */
public final class TrainConfig {
  /** Folder with the shards, {@code dataset.json} and {@code labels.txt}. */
  public Path shardDir;
  /** Folder for the checkpoint ({@code model.pt}, {@code model.json}) and {@code train_log.jsonl}. */
  public Path outputDir;
  public int epochs = 10;
  public int batchSize = 64;
  /** Peak learning rate of AdamW. */
  public double learningRate = 3e-3;
  public double weightDecay = 1e-4;
  /** Warmup steps before cosine decay. */
  public int warmupSteps = 30;
  /** Loader threads; default the number of cores. */
  public int loaderThreads = Runtime.getRuntime().availableProcessors();
  /** LibTorch intra-op threads; 0 keeps LibTorch's default. */
  public int torchThreads = 0;
  /** Input size in pixels (square); 0 takes the shards' image size from {@code dataset.json}. */
  public int imageSize = 0;
  /** Base width of {@code small_cnn}. */
  public int width = 16;
  /** Upper clip of the per-class {@code pos_weight}; 0 disables {@code pos_weight}. */
  public double maxPosWeight = 100;
  public long seed = 42;
  /** {@code auto}, {@code cpu} or {@code cuda}. */
  public String device = "auto";
  /** Stop after this many steps in total (0: no limit); for quick runs and tests. */
  public long maxSteps = 0;
}
