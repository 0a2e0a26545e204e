package dev.labelbeam.pipelines;

import dev.labelbeam.trainer.DeviceChoice;
import dev.labelbeam.metrics.report.HtmlReport;
import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.metrics.LogitBins;
import dev.labelbeam.metrics.Thresholds;
import dev.labelbeam.metrics.MultiLabelReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The evaluation stage run on its own: a pipeline of {@link EvaluateModel} over one model folder,
 * which reads a split's shards, scores every record, computes the metrics for the model and for a
 * label-frequency baseline, and writes {@code metrics.json}, {@code per_class.csv},
 * {@code thresholds.json} (per-class thresholds tuned for F1 on this split, for {@code predict}) and
 * {@code report.html} into the output folder.
 */
public final class EvaluatePipeline {
  public static final String METRICS_FILE = "metrics.json";
  public static final String PER_CLASS_FILE = "per_class.csv";
  public static final String THRESHOLDS_FILE = Thresholds.FILE_NAME;
  public static final String REPORT_FILE = HtmlReport.FILE_NAME;
  /** Records whose image did not decode when scoring, one JSON object a line. */
  public static final String DEAD_LETTER_FILE = "evaluate_dead_letter.jsonl";

  private EvaluatePipeline() {}

  /** Settings of one evaluation. */
  public static final class Settings {
    public Path shardDir;
    public Path modelDir;
    /** Where metrics.json and per_class.csv go; default the shard folder. */
    public Path outputDir;
    public String split = "val";
    public double threshold = 0.5;
    public int batchSize = 64;
    public DeviceChoice device = DeviceChoice.AUTO;
    /** 0 for exact mode; otherwise the number of logit bins per class. */
    public int bins = LogitBins.DEFAULT_BINS;
    public int minSupportForTuning = 10;
  }

  /** Runs {@link EvaluateModel} on {@code settings.modelDir} to completion and returns the report it wrote. */
  public static MultiLabelReport run(Settings s, PipelineOptions options) throws IOException {
    Path out = s.outputDir != null ? s.outputDir : s.shardDir;
    Files.createDirectories(out);
    DatasetInfo info = DatasetInfo.read(s.shardDir.resolve(DatasetInfo.FILE_NAME));
    if (info.records(s.split) == 0) {
      throw new IllegalArgumentException("split '" + s.split + "' has no records in " + s.shardDir);
    }
    Pipeline p = Pipeline.create(options);
    p.apply("Model", Create.of(s.modelDir.toString())).apply("Evaluate", EvaluateModel.with(s));
    PipelineResult.State state = p.run().waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("evaluate pipeline ended in state " + state);
    }
    return MultiLabelReport.fromJson(Files.readString(out.resolve(METRICS_FILE)));
  }

  /** The split's shards as dataset.json lists them (never a leftover of another run). */
  static List<String> shardPaths(Path shardDir, DatasetInfo info, String split) {
    List<String> out = new ArrayList<>();
    info.shardFiles(shardDir, split).forEach(p -> out.add(p.toString()));
    if (out.isEmpty()) {
      throw new IllegalArgumentException("dataset.json in " + shardDir + " lists no shards for split '" + split + "'");
    }
    return out;
  }

  /** Each label's positive rate in the train split: the baseline's constant scores. */
  static float[] trainFrequencies(DatasetInfo info, int numClasses) {
    long[] pos = info.positiveCounts("train");
    long n = Math.max(1, info.records("train"));
    float[] f = new float[numClasses];
    for (int c = 0; c < numClasses; c++) {
      f[c] = (float) pos[c] / n;
    }
    return f;
  }
}
