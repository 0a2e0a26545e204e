package dev.labelbeam.pipelines;

import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.Thresholds;
import dev.labelbeam.metrics.report.HtmlReport;
import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.LabelMatch;
import dev.labelbeam.trainer.model.ModelFolders;
import dev.labelbeam.transforms.evaluation.WriteEvaluationReports;
import dev.labelbeam.transforms.shards.BeamStorage;
import dev.labelbeam.transforms.shards.DatasetFiles;
import dev.labelbeam.transforms.shards.ReadImageRecords;
import java.io.IOException;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.Create;

/**
 * The evaluation stage run on its own: a pipeline of {@link EvaluateModel} over one model folder,
 * which reads a split's shards, scores every record, computes the metrics for the model and for a
 * label-frequency baseline, and writes {@code metrics.json}, {@code per_class.csv},
 * {@code thresholds.json} (per-class thresholds tuned for F1 on this split, for {@code predict}) and
 * {@code report.html} into the output folder.
 */
public final class EvaluatePipeline {
  public static final String METRICS_FILE = WriteEvaluationReports.METRICS_FILE;
  public static final String PER_CLASS_FILE = WriteEvaluationReports.PER_CLASS_FILE;
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
    checkModelFitsData(modelDir, evaluate.shardDir());
    BeamStorage.create().checkSizes(info, shardPaths(evaluate.shardDir(), info, evaluate.split()));
    DatasetFiles.createFolderIfLocal(evaluate.outputDir());
    Pipeline p = Pipeline.create(options);
    EvaluateModel e = Runners.inOneProcess(options)
        ? evaluate.withScoring(evaluate.scoring().withBatchesRegrouped(true)) : evaluate;
    p.apply("Model", Create.of(modelDir)).apply("Evaluate", e);
    PipelineResult result = p.run();
    PipelineResult.State state = result.waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("evaluate pipeline ended in state " + state);
    }
    long read = PipelineCounters.sum(result, ReadImageRecords.class, ReadImageRecords.RECORDS_READ);
    if (read != info.records(evaluate.split())) {
      throw new IllegalStateException("the " + evaluate.split() + " shards held " + read + " records, dataset.json in "
          + evaluate.shardDir() + " lists " + info.records(evaluate.split()) + ": the shards were changed after "
          + "preprocess, and the reports written describe other data. Run `labelbeam check` on the folder");
    }
    return MultiLabelReport.fromJson(DatasetFiles.readText(evaluate.outputDir(), METRICS_FILE));
  }

  /**
   * Refuses a model whose labels are not the shards' labels in the same order (scores are read by
   * position): the message names the first difference and what to do.
   */
  static void checkModelFitsData(String modelDir, String shardDir) throws IOException {
    List<String> model = ModelFolders.readSpec(modelDir, BeamStorage.create()).labels;
    List<String> data = DatasetFiles.readVocabulary(shardDir).names();
    String problem = LabelMatch.problem("the model in " + modelDir + " (model.json)", model,
        "the shards' labels.txt in " + shardDir, data);
    if (problem != null) {
      throw new IllegalArgumentException(problem + ". Evaluate on shards preprocessed with the model's labels "
          + "(preprocess --labels with the labels of model.json, in its order)");
    }
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
