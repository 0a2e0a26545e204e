package dev.labelbeam.pipelines;

import dev.labelbeam.metrics.report.HtmlReport;
import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.metrics.Thresholds;
import dev.labelbeam.metrics.MultiLabelReport;
import java.io.IOException;
import java.util.List;
import dev.labelbeam.transforms.shards.DatasetFiles;
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

  /**
   * Runs {@code evaluate} on the model in {@code modelDir} to completion and returns the report it
   * wrote.
   *
   * @throws IllegalArgumentException when the split has no records
   * @throws IllegalStateException when the pipeline does not finish in state DONE
   */
  public static MultiLabelReport run(String modelDir, EvaluateModel evaluate, PipelineOptions options) throws IOException {
    DatasetInfo info = DatasetFiles.readInfo(evaluate.shardDir());
    if (info.records(evaluate.split()) == 0) {
      throw new IllegalArgumentException("split '" + evaluate.split() + "' has no records in " + evaluate.shardDir());
    }
    DatasetFiles.createFolderIfLocal(evaluate.outputDir());
    Pipeline p = Pipeline.create(options);
    p.apply("Model", Create.of(modelDir)).apply("Evaluate", evaluate);
    PipelineResult.State state = p.run().waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("evaluate pipeline ended in state " + state);
    }
    return MultiLabelReport.fromJson(DatasetFiles.readText(evaluate.outputDir(), METRICS_FILE));
  }

  /** The split's shards as dataset.json lists them (never a leftover of another run). */
  static List<String> shardPaths(String shardDir, DatasetInfo info, String split) {
    List<String> out = DatasetFiles.shardPaths(shardDir, info, split);
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
