package dev.labelbeam.pipelines;

import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.Thresholds;
import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.trainer.DeviceChoice;
import dev.labelbeam.trainer.train.EpochReport;
import dev.labelbeam.trainer.train.TrainOptions;
import dev.labelbeam.transforms.PreprocessImages;
import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.shards.ShardOptions;
import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The end-to-end demo on the embedded synthetic dataset: generate, then one Beam pipeline that
 * preprocesses ({@code PreprocessImages}), trains ({@link TrainModel}, LibTorch) and evaluates
 * ({@link EvaluateModel}) on val, each step starting when the previous one's output exists; then the
 * test split is evaluated at the per-class thresholds tuned on val, and those are the figures printed.
 */
public final class DemoRun {
  /**
   * What the demo runs with; {@link #defaults()} are the demo's.
   *
   * @param workDir folder for data, shards, model and reports; default {@code demo-out}
   * @param images synthetic images, >= 10; default 3,000
   * @param sourceSize side of the generated images in pixels; default 96
   * @param imageSize shorter side after preprocessing; default 48
   * @param epochs training epochs, >= 1; default 12
   * @param batchSize training batch size, >= 1; default 64
   * @param valFraction fraction of images in val, where the per-class thresholds are tuned; default 0.15
   * @param testFraction fraction of images in test, where the figures the demo prints are measured at
   *     val's thresholds (tuned and measured on one split, F1 is optimistic); default 0.15
   * @param seed seed of the dataset and of training; default 2026
   * @param device where training and scoring run; default auto
   * @param workers data-parallel training processes, >= 1; default 1
   */
  public record Options(Path workDir, int images, int sourceSize, int imageSize, int epochs, int batchSize,
      double valFraction, double testFraction, long seed, DeviceChoice device, int workers) {
    /** Validates; the message names the option, the value and what is allowed. */
    public Options {
      if (images < 10) {
        throw new IllegalArgumentException("images must be >= 10, was " + images);
      }
      if (epochs < 1) {
        throw new IllegalArgumentException("epochs must be >= 1, was " + epochs);
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
      }
      if (!(valFraction > 0 && testFraction > 0 && valFraction + testFraction < 1)) {
        throw new IllegalArgumentException("valFraction and testFraction must be > 0 with a sum < 1, were " + valFraction
            + ", " + testFraction);
      }
      if (workers < 1) {
        throw new IllegalArgumentException("workers must be >= 1, was " + workers);
      }
      java.util.Objects.requireNonNull(workDir, "workDir");
      java.util.Objects.requireNonNull(device, "device");
    }

    /** The demo's settings. */
    public static Options defaults() {
      return new Options(Path.of("demo-out"), 3000, 96, 48, 12, TrainOptions.defaults().batchSize(), 0.15, 0.15, 2026,
          DeviceChoice.AUTO, 1);
    }

    /** A copy with another working folder (data, shards, model, reports). */
    public Options withWorkDir(Path v) {
      return new Options(v, images, sourceSize, imageSize, epochs, batchSize, valFraction, testFraction, seed, device, workers);
    }

    /** A copy with another number of synthetic images. */
    public Options withImages(int v) {
      return new Options(workDir, v, sourceSize, imageSize, epochs, batchSize, valFraction, testFraction, seed, device, workers);
    }

    /** A copy with another shorter side after preprocessing, the model's input size. */
    public Options withImageSize(int v) {
      return new Options(workDir, images, sourceSize, v, epochs, batchSize, valFraction, testFraction, seed, device, workers);
    }

    /** A copy with another training epochs. */
    public Options withEpochs(int v) {
      return new Options(workDir, images, sourceSize, imageSize, v, batchSize, valFraction, testFraction, seed, device, workers);
    }

    /** A copy with another training batch size. */
    public Options withBatchSize(int v) {
      return new Options(workDir, images, sourceSize, imageSize, epochs, v, valFraction, testFraction, seed, device, workers);
    }

    /** A copy with another seed of the dataset and of training. */
    public Options withSeed(long v) {
      return new Options(workDir, images, sourceSize, imageSize, epochs, batchSize, valFraction, testFraction, v, device, workers);
    }

    /** A copy with another where training and scoring run. */
    public Options withDevice(DeviceChoice v) {
      return new Options(workDir, images, sourceSize, imageSize, epochs, batchSize, valFraction, testFraction, seed, v, workers);
    }

    /** A copy with another number of data-parallel training processes. */
    public Options withWorkers(int v) {
      return new Options(workDir, images, sourceSize, imageSize, epochs, batchSize, valFraction, testFraction, seed, device, v);
    }
  }

  /** What the demo produced. */
  public static final class Result {
    public DatasetInfo dataset;
    public List<EpochReport> training;
    /** The test split's report, at the per-class thresholds tuned on val: the demo's figures. */
    public MultiLabelReport report;
    /** The val split's report, where the thresholds were tuned (its tuned F1 is optimistic). */
    public MultiLabelReport valReport;
    /** Where the test report went. */
    public Path testDir;
    public final Map<String, Double> stageSeconds = new LinkedHashMap<>();
    public Path shardDir;
    public Path modelDir;
  }

  private DemoRun() {}

  public static Result run(Options s, PipelineOptions preprocessOptions, PrintStream out) throws IOException {
    Result r = new Result();
    Path data = s.workDir().resolve("data");
    r.shardDir = s.workDir().resolve("shards");
    r.modelDir = s.workDir().resolve("model");
    r.testDir = s.workDir().resolve("test-eval");

    long t = System.nanoTime();
    out.printf("[1/5] generating %d synthetic images (%dx%d, 12 labels) in %s%n", s.images(), s.sourceSize(), s.sourceSize(), data);
    Path manifest = SyntheticShapes.generate(data, s.images(), s.sourceSize(), s.seed());
    r.stageSeconds.put("generate", seconds(t));

    t = System.nanoTime();
    out.printf("[2/5] preprocessing with Beam (%s) into %s%n", preprocessOptions.getRunner().getSimpleName(), r.shardDir);
    out.printf("[3/5] then, in the same pipeline, training %s with LibTorch for %d epochs (%d worker%s) into %s%n",
        "small_cnn", s.epochs(), s.workers(), s.workers() == 1 ? "" : "s", r.modelDir);
    out.printf("[4/5] then, still in the same pipeline, evaluating on val, where per-class thresholds are tuned%n");
    PreprocessImages pre = PreprocessImages.fromManifest(manifest.toString())
        .withImageOptions(ImageOptions.defaults().withShorterSide(s.imageSize()))
        .withShardOptions(ShardOptions.defaults().withSplit(s.valFraction(), s.testFraction(), "demo")
            .withShards("train", 4).withShards("val", 1).withShards("test", 1));
    java.nio.file.Files.createDirectories(r.shardDir);
    // each demo is a fresh run: an earlier demo's model in the same work folder is replaced
    dev.labelbeam.trainer.train.OutputFolder.claim(r.modelDir, false, true);
    boolean oneProcess = Runners.inOneProcess(preprocessOptions);
    if (oneProcess) {
      pre = pre.withoutReshuffle();
      // While one DoFn runs for long (the training), DirectRunner's other executor threads poll for
      // work and take a core from the training workers; one executor thread avoids that.
      preprocessOptions.as(org.apache.beam.runners.direct.DirectOptions.class).setTargetParallelism(1);
    }
    org.apache.beam.sdk.Pipeline p = org.apache.beam.sdk.Pipeline.create(preprocessOptions);
    String shards = r.shardDir.toString();
    p.apply("Preprocess", pre.to(shards))
        .datasetInfo()
        .apply("ShardFolder", org.apache.beam.sdk.transforms.MapElements.into(
            org.apache.beam.sdk.values.TypeDescriptors.strings()).via(info -> shards))
        .apply("TrainModel", TrainModel.to(r.modelDir.toString()).withWorkers(s.workers()).withOptions(
            TrainOptions.defaults().toBuilder().epochs(s.epochs()).batchSize(s.batchSize()).seed(s.seed())
                .device(s.device()).cropScaleMin(1).build()))
        .apply("EvaluateModel", EvaluateModel.on(shards)
            .withScoring(ScoringOptions.defaults().withDevice(s.device()).withBatchesRegrouped(oneProcess)));
    org.apache.beam.sdk.PipelineResult.State state = p.run().waitUntilFinish();
    if (state != org.apache.beam.sdk.PipelineResult.State.DONE) {
      throw new IllegalStateException("preprocess and train pipeline ended in state " + state);
    }
    r.dataset = dev.labelbeam.shard.DatasetInfo.read(r.shardDir.resolve(dev.labelbeam.shard.DatasetInfo.FILE_NAME));
    r.stageSeconds.put("preprocess+train+evaluate (one pipeline)", seconds(t));
    out.print(PreprocessSummary.format(r.dataset, r.shardDir));
    r.training = trainingLog(r.modelDir);
    r.valReport = MultiLabelReport.fromJson(java.nio.file.Files.readString(r.shardDir.resolve(EvaluatePipeline.METRICS_FILE)));

    t = System.nanoTime();
    Path valThresholds = r.shardDir.resolve(EvaluatePipeline.THRESHOLDS_FILE);
    out.printf("[5/5] evaluating on test at the thresholds tuned on val (%s): the figures below%n", valThresholds);
    MetricsOptions atValThresholds = MetricsOptions.defaults().withClassThresholds(
        Thresholds.fromJson(java.nio.file.Files.readString(valThresholds)),
        dev.labelbeam.transforms.shards.DatasetFiles.readVocabulary(shards).names(), valThresholds.toString());
    r.report = EvaluatePipeline.run(r.modelDir.toString(), EvaluateModel.on(shards).withSplit("test")
        .withOutputDir(r.testDir.toString())
        .withScoring(ScoringOptions.defaults().withDevice(s.device()))
        .withMetrics(atValThresholds), preprocessOptions);
    r.stageSeconds.put("evaluate test", seconds(t));

    out.print(SummaryTable.format(r.report));
    out.printf("test metrics: %s, %s%ntest report:  %s%nval (thresholds tuned there): %s, %s%n",
        r.testDir.resolve(EvaluatePipeline.METRICS_FILE), r.testDir.resolve(EvaluatePipeline.PER_CLASS_FILE),
        r.testDir.resolve(EvaluatePipeline.REPORT_FILE), valThresholds, r.shardDir.resolve(EvaluatePipeline.REPORT_FILE));
    StringBuilder times = new StringBuilder("stage times:");
    r.stageSeconds.forEach((k, v) -> times.append(String.format(" %s %.1f s,", k, v)));
    out.println(times.substring(0, times.length() - 1));
    return r;
  }

  /** The epochs of {@code train_log.jsonl} (the training ran inside the pipeline). */
  static List<EpochReport> trainingLog(Path modelDir) throws IOException {
    com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
    List<EpochReport> out = new java.util.ArrayList<>();
    for (String line : java.nio.file.Files.readAllLines(modelDir.resolve("train_log.jsonl"))) {
      com.fasterxml.jackson.databind.JsonNode n = m.readTree(line);
      out.add(new EpochReport(n.get("epoch").asInt(), 0, n.get("loss").asDouble(), n.get("images").asLong(),
          n.get("seconds").asDouble(), n.get("step").asLong()));
    }
    return out;
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
