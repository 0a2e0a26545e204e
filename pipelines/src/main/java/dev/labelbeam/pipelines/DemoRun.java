package dev.labelbeam.pipelines;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.trainer.train.EpochReport;
import dev.labelbeam.trainer.train.TrainConfig;
import dev.labelbeam.trainer.train.Trainer;
import dev.labelbeam.transforms.PreprocessImages;
import dev.labelbeam.transforms.evaluation.MultiLabelReport;
import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The end-to-end demo on the embedded synthetic dataset: generate → preprocess (Beam) → train
 * (LibTorch) → evaluate (Beam), timing each stage.
 */
public final class DemoRun {
  /** Settings; the defaults are the demo's. */
  public static final class Settings {
    public Path workDir = Path.of("demo-out");
    public int images = 3000;
    public int sourceSize = 96;
    public int imageSize = 48;
    public int epochs = 12;
    public int batchSize = 64;
    public double valFraction = 0.2;
    public long seed = 2026;
    public String device = "auto";
  }

  /** What the demo produced. */
  public static final class Result {
    public DatasetInfo dataset;
    public List<EpochReport> training;
    public MultiLabelReport report;
    public final Map<String, Double> stageSeconds = new LinkedHashMap<>();
    public Path shardDir;
    public Path modelDir;
  }

  private DemoRun() {}

  public static Result run(Settings s, PipelineOptions preprocessOptions, PipelineOptions evaluateOptions,
      PrintStream out) throws IOException {
    Result r = new Result();
    Path data = s.workDir.resolve("data");
    r.shardDir = s.workDir.resolve("shards");
    r.modelDir = s.workDir.resolve("model");

    long t = System.nanoTime();
    out.printf("[1/4] generating %d synthetic images (%dx%d, 12 labels) in %s%n", s.images, s.sourceSize, s.sourceSize, data);
    Path manifest = SyntheticShapes.generate(data, s.images, s.sourceSize, s.seed);
    r.stageSeconds.put("generate", seconds(t));

    t = System.nanoTime();
    out.printf("[2/4] preprocessing with Beam (%s) into %s%n", preprocessOptions.getRunner().getSimpleName(), r.shardDir);
    PreprocessImages pre = PreprocessImages.fromCsvManifest(manifest.toString())
        .withShorterSide(s.imageSize)
        .withSplit(s.valFraction, 0.0, "demo")
        .withShards("train", 4)
        .withShards("val", 1);
    r.dataset = PreprocessPipeline.run(pre, r.shardDir, preprocessOptions);
    r.stageSeconds.put("preprocess", seconds(t));
    out.print(PreprocessSummary.format(r.dataset, r.shardDir));

    t = System.nanoTime();
    out.printf("[3/4] training small_cnn with LibTorch for %d epochs into %s%n", s.epochs, r.modelDir);
    TrainConfig tc = new TrainConfig();
    tc.shardDir = r.shardDir;
    tc.outputDir = r.modelDir;
    tc.epochs = s.epochs;
    tc.batchSize = s.batchSize;
    tc.seed = s.seed;
    tc.device = s.device;
    tc.cropScaleMin = 1.0; // the shapes sit near the borders: a crop would cut labelled objects away
    r.training = new Trainer(tc, line -> out.println("  " + line)).run();
    r.stageSeconds.put("train", seconds(t));

    t = System.nanoTime();
    out.printf("[4/4] evaluating on val with Beam (%s)%n", evaluateOptions.getRunner().getSimpleName());
    EvaluatePipeline.Settings es = new EvaluatePipeline.Settings();
    es.shardDir = r.shardDir;
    es.modelDir = r.modelDir;
    es.device = s.device;
    r.report = EvaluatePipeline.run(es, evaluateOptions);
    r.stageSeconds.put("evaluate", seconds(t));
    out.print(SummaryTable.format(r.report));
    out.printf("metrics: %s, %s, %s%nreport:  %s%n", r.shardDir.resolve(EvaluatePipeline.METRICS_FILE),
        r.shardDir.resolve(EvaluatePipeline.PER_CLASS_FILE), r.shardDir.resolve(EvaluatePipeline.THRESHOLDS_FILE),
        r.shardDir.resolve(EvaluatePipeline.REPORT_FILE));
    StringBuilder times = new StringBuilder("stage times:");
    r.stageSeconds.forEach((k, v) -> times.append(String.format(" %s %.1f s,", k, v)));
    out.println(times.substring(0, times.length() - 1));
    return r;
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
