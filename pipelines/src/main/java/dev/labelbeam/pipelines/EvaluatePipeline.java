package dev.labelbeam.pipelines;

import dev.labelbeam.pipelines.report.HtmlReport;
import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.transforms.evaluation.EvaluateMultiLabel;
import dev.labelbeam.transforms.evaluation.LogitBins;
import dev.labelbeam.transforms.evaluation.Thresholds;
import dev.labelbeam.transforms.evaluation.MultiLabelReport;
import dev.labelbeam.transforms.evaluation.ScoredExample;
import dev.labelbeam.transforms.evaluation.ScoredExampleCoder;
import dev.labelbeam.transforms.shards.DatasetFiles;
import dev.labelbeam.transforms.shards.ImageRecordCoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TFRecordIO;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.values.PCollectionTuple;
import dev.labelbeam.transforms.errors.DeadLetter;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * The evaluation stage as a pipeline: read a split's shards, score every record with a checkpoint
 * ({@link Predict}), compute the metrics ({@link EvaluateMultiLabel}, binned by default) for the
 * model and for a baseline that predicts each label's training frequency, and write
 * {@code metrics.json}, {@code per_class.csv}, {@code thresholds.json} (per-class thresholds tuned
 * for F1 on this split, for {@code predict}) and {@code report.html} into the output folder.
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
    public String device = "auto";
    /** 0 for exact mode; otherwise the number of logit bins per class. */
    public int bins = LogitBins.DEFAULT_BINS;
    public int minSupportForTuning = 10;
  }

  private static EvaluateMultiLabel metrics(Settings s, int numClasses) {
    EvaluateMultiLabel m = s.bins == 0 ? EvaluateMultiLabel.exact(numClasses)
        : EvaluateMultiLabel.binned(numClasses).withBins(s.bins);
    return m.withThreshold(s.threshold).withMinSupportForTuning(s.minSupportForTuning);
  }

  /** Runs to completion and returns the report it wrote. */
  public static MultiLabelReport run(Settings s, PipelineOptions options) throws IOException {
    Path out = s.outputDir != null ? s.outputDir : s.shardDir;
    Files.createDirectories(out);
    LabelVocabulary vocab = LabelVocabulary.read(s.shardDir.resolve(LabelVocabulary.FILE_NAME));
    DatasetInfo info = DatasetInfo.read(s.shardDir.resolve(DatasetInfo.FILE_NAME));
    int numClasses = vocab.size();
    float[] frequency = trainFrequencies(info, numClasses);
    if (info.records(s.split) == 0) {
      throw new IllegalArgumentException("split '" + s.split + "' has no records in " + s.shardDir);
    }

    Pipeline p = Pipeline.create(options);
    PCollectionTuple predicted =
        p.apply("ShardNames", Create.of(shardPaths(s.shardDir, info, s.split)))
            .apply("MatchShards", FileIO.matchAll())
            .apply("OpenShards", FileIO.readMatches())
            .apply("ReadShards", TFRecordIO.readFiles())
            .apply("ParseRecords", MapElements.into(TypeDescriptor.of(ImageRecord.class)).via(ImageRecord::parse))
            .setCoder(ImageRecordCoder.of())
            .apply("Predict", Predict.withModel(s.modelDir.toString()).withBatchSize(s.batchSize).withDevice(s.device));
    PCollection<ScoredExample> scored = predicted.get(Predict.SCORED);
    predicted.get(Predict.DEAD_LETTERS)
        .apply("DeadLetterJson", MapElements.into(TypeDescriptor.of(String.class)).via(DeadLetter::toJson))
        .apply("WriteDeadLetters", TextIO.write().to(out.resolve(DEAD_LETTER_FILE).toString()).withoutSharding());
    PCollection<MultiLabelReport> model = scored.apply("ModelMetrics", metrics(s, numClasses));
    PCollectionView<MultiLabelReport> baseline =
        scored
            .apply("FrequencyBaseline", MapElements.into(TypeDescriptor.of(ScoredExample.class))
                .via(e -> new ScoredExample(e.id, e.labelBits, frequency)))
            .setCoder(ScoredExampleCoder.of())
            .apply("BaselineMetrics", metrics(s, numClasses))
            .apply("BaselineView", View.asSingleton());
    model.apply("WriteReport",
        ParDo.of(new WriteReportFn(out.toString(), new ArrayList<>(vocab.names()), baseline,
            "labelbeam evaluation: " + s.split + " split of " + s.shardDir.getFileName() + ", model " + s.modelDir.getFileName()))
            .withSideInputs(baseline));
    PipelineResult.State state = p.run().waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("evaluate pipeline ended in state " + state);
    }
    return MultiLabelReport.fromJson(Files.readString(out.resolve(METRICS_FILE)));
  }

  /** The split's shards as dataset.json lists them (never a leftover of another run). */
  static List<String> shardPaths(Path shardDir, DatasetInfo info, String split) {
    List<String> out = new ArrayList<>();
    for (String name : info.shards.getOrDefault(split, List.of())) {
      out.add(shardDir.resolve(name).toString());
    }
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

  static final class WriteReportFn extends DoFn<MultiLabelReport, Void> {
    private static final long serialVersionUID = 1L;
    private final String outputDir;
    private final List<String> labels;
    private final PCollectionView<MultiLabelReport> baseline;
    private final String title;

    WriteReportFn(String outputDir, List<String> labels, PCollectionView<MultiLabelReport> baseline, String title) {
      this.outputDir = outputDir;
      this.labels = labels;
      this.baseline = baseline;
      this.title = title;
    }

    @ProcessElement
    public void process(@Element MultiLabelReport report, ProcessContext c) {
      MultiLabelReport b = c.sideInput(baseline);
      MultiLabelReport r = MultiLabelReport.fromJson(report.toJson()).withLabels(labels);
      r.baseline = new MultiLabelReport.Baseline();
      r.baseline.description = "predicts each label's training frequency for every example";
      r.baseline.macro = b.macro;
      r.baseline.micro = b.micro;
      try {
        DatasetFiles.writeText(outputDir, METRICS_FILE, r.toJson());
        DatasetFiles.writeText(outputDir, PER_CLASS_FILE, r.toCsv());
        DatasetFiles.writeText(outputDir, THRESHOLDS_FILE, r.thresholds().toJson());
        DatasetFiles.writeText(outputDir, REPORT_FILE, HtmlReport.render(r, title));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the report to " + outputDir, e);
      }
    }
  }
}
