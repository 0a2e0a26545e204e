package dev.labelbeam.pipelines;

import com.google.auto.value.AutoValue;
import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.evaluation.EvaluateMultiLabel;
import dev.labelbeam.transforms.evaluation.ScoredExampleCoder;
import dev.labelbeam.transforms.evaluation.WriteEvaluationReports;
import dev.labelbeam.transforms.evaluation.WriteScores;
import dev.labelbeam.transforms.shards.BeamStorage;
import dev.labelbeam.transforms.shards.DatasetFiles;
import dev.labelbeam.transforms.shards.ReadImageRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.FloatCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * The evaluation stage as one composite transform over the model folder (one element, e.g. the
 * output of {@link TrainModel}): when the model arrives, read the split's shards as
 * {@code dataset.json} lists them, score every record ({@link Predict}), compute the metrics for the
 * model and for a baseline that predicts each label's training frequency ({@link EvaluateMultiLabel},
 * class count from the data), and write {@code metrics.json}, {@code per_class.csv},
 * {@code thresholds.json}, {@code report.html} and {@code evaluate_dead_letter.jsonl}. Emits the
 * report. Because everything hangs off the model element, preprocess → train → evaluate can run as
 * one pipeline.
 */
@AutoValue
public abstract class EvaluateModel extends PTransform<PCollection<String>, PCollection<MultiLabelReport>> {
  private static final long serialVersionUID = 1L;

  /** The dataset folder. */
  public abstract String shardDir();

  /** The folder the reports go to. */
  public abstract String outputDir();

  /** The split evaluated. */
  public abstract String split();

  /** Batch size and device of the scoring. */
  public abstract ScoringOptions scoring();

  /** Mode, bins, threshold and tuning support of the metrics. */
  public abstract MetricsOptions metrics();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setShardDir(String d);

    abstract Builder setOutputDir(String d);

    abstract Builder setSplit(String s);

    abstract Builder setScoring(ScoringOptions o);

    abstract Builder setMetrics(MetricsOptions o);

    abstract EvaluateModel build();
  }

  /**
   * Evaluates on the {@code val} split of the dataset in {@code shardDir} (any Beam filesystem),
   * writing the reports into that folder, with {@link ScoringOptions#defaults()} and
   * {@link MetricsOptions#defaults()}.
   */
  public static EvaluateModel on(String shardDir) {
    if (shardDir == null || shardDir.isEmpty()) {
      throw new IllegalArgumentException("shardDir must be a folder, was '" + shardDir + "'");
    }
    return new AutoValue_EvaluateModel.Builder().setShardDir(shardDir).setOutputDir(shardDir).setSplit("val")
        .setScoring(ScoringOptions.defaults()).setMetrics(MetricsOptions.defaults()).build();
  }

  /** Where {@code metrics.json}, {@code per_class.csv}, {@code thresholds.json} and {@code report.html} go. */
  public EvaluateModel withOutputDir(String dir) {
    if (dir == null || dir.isEmpty()) {
      throw new IllegalArgumentException("outputDir must be a folder, was '" + dir + "'");
    }
    return toBuilder().setOutputDir(dir).build();
  }

  /** The split to evaluate (a split dataset.json lists: train, val or test); default val. */
  public EvaluateModel withSplit(String s) {
    if (s == null || !List.of("train", "val", "test").contains(s)) {
      throw new IllegalArgumentException("split must be one of [train, val, test], was '" + s + "'");
    }
    return toBuilder().setSplit(s).build();
  }

  /** Batch size and device of the scoring. */
  public EvaluateModel withScoring(ScoringOptions o) {
    return toBuilder().setScoring(java.util.Objects.requireNonNull(o, "scoring options")).build();
  }

  /** Mode, bins, threshold and tuning support of the metrics. */
  public EvaluateModel withMetrics(MetricsOptions o) {
    return toBuilder().setMetrics(java.util.Objects.requireNonNull(o, "metrics options")).build();
  }

  @Override
  public PCollection<MultiLabelReport> expand(PCollection<String> models) {
    String out = outputDir();
    String shardDir = shardDir();
    String split = split();
    ScoringOptions scoring = scoring();
    MetricsOptions metrics = metrics();
    PCollectionView<String> modelView = models.apply("ModelView", View.asSingleton());
    PCollection<String> paths = models.apply("ShardPaths", ParDo.of(new ShardPathsFn(shardDir, split)))
        .setCoder(StringUtf8Coder.of());
    PCollectionTuple predicted = paths
        .apply("ReadShards", ReadImageRecords.create().verifiedAgainst(shardDir))
        .apply("Predict", Predict.withModelFrom(modelView).withOptions(scoring));
    PCollection<ScoredExample> scored = predicted.get(Predict.SCORED);
    predicted.get(Predict.DEAD_LETTERS)
        .apply("DeadLetterJson", MapElements.into(TypeDescriptor.of(String.class)).via(DeadLetter::toJson))
        .apply("WriteDeadLetters", TextIO.write().to(out + "/" + EvaluatePipeline.DEAD_LETTER_FILE).withoutSharding());

    PCollectionView<List<Float>> frequency = models
        .apply("TrainFrequencies", ParDo.of(new FrequencyFn(shardDir)))
        .setCoder(ListCoder.of(FloatCoder.of()))
        .apply("FrequencyView", View.asSingleton());
    PCollectionView<List<String>> labels = models
        .apply("Labels", ParDo.of(new LabelsFn(shardDir)))
        .setCoder(ListCoder.of(StringUtf8Coder.of()))
        .apply("LabelsView", View.asSingleton());
    if (metrics.mode() == MetricsOptions.Mode.EXACT) {
      // every score is kept for the metrics anyway: write them for compare's paired bootstrap
      scored.apply("WriteScores", WriteScores.to(out, labels));
    }
    PCollection<MultiLabelReport> model = scored.apply("ModelMetrics", EvaluateMultiLabel.create().withOptions(metrics));
    PCollectionView<MultiLabelReport> baseline = scored
        .apply("FrequencyBaseline", ParDo.of(new BaselineFn(frequency)).withSideInputs(frequency))
        .setCoder(ScoredExampleCoder.of())
        .apply("BaselineMetrics", EvaluateMultiLabel.create().withOptions(metrics))
        .apply("BaselineView", View.asSingleton());
    String title = "labelbeam evaluation: " + split + " split of " + folderName(shardDir);
    return model.apply("WriteReport", WriteEvaluationReports.to(out).withLabels(labels)
        .withBaseline("predicts each label's training frequency for every example", baseline).withTitle(title));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    MetricsOptions dm = MetricsOptions.defaults();
    ScoringOptions ds = ScoringOptions.defaults();
    builder.add(DisplayData.item("shardDir", shardDir()).withLabel("Dataset"))
        .addIfNotDefault(DisplayData.item("outputDir", outputDir()).withLabel("Report folder"), shardDir())
        .addIfNotDefault(DisplayData.item("split", split()).withLabel("Split"), "val")
        .addIfNotDefault(DisplayData.item("batchSize", scoring().batchSize()).withLabel("Batch size"), ds.batchSize())
        .addIfNotDefault(DisplayData.item("device", scoring().device().name()).withLabel("Device"), ds.device().name())
        .addIfNotDefault(DisplayData.item("mode", metrics().mode().name()).withLabel("Metrics mode"), dm.mode().name())
        .addIfNotDefault(DisplayData.item("bins", metrics().bins()).withLabel("Bins"), dm.bins())
        .addIfNotDefault(DisplayData.item("threshold", metrics().threshold()).withLabel("Threshold"), dm.threshold())
        .addIfNotDefault(DisplayData.item("minSupportForTuning", metrics().minSupportForTuning())
            .withLabel("Min support for tuning"), dm.minSupportForTuning());
  }

  /** The last name of a folder path or URL ({@code gs://b/x/shards/} gives {@code shards}). */
  static String folderName(String dir) {
    String d = dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
    return d.substring(d.lastIndexOf('/') + 1);
  }

  private static DatasetInfo info(String shardDir) {
    try {
      return DatasetFiles.readInfo(shardDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read dataset.json in " + shardDir, e);
    }
  }

  /** The split's shard paths as dataset.json lists them (never a leftover of another run). */
  static final class ShardPathsFn extends DoFn<String, String> {
    private static final long serialVersionUID = 1L;
    private final String shardDir;
    private final String split;

    ShardPathsFn(String shardDir, String split) {
      this.shardDir = shardDir;
      this.split = split;
    }

    @ProcessElement
    public void process(OutputReceiver<String> out) throws IOException {
      DatasetInfo info = info(shardDir);
      List<String> paths = EvaluatePipeline.shardPaths(shardDir, info, split);
      BeamStorage.create().checkSizes(info, paths); // a shard cut or grown since preprocess: fail before scoring
      for (String p : paths) {
        out.output(p);
      }
    }
  }

  /** Each label's positive rate in the train split: the baseline's constant scores. */
  static final class FrequencyFn extends DoFn<String, List<Float>> {
    private static final long serialVersionUID = 1L;
    private final String shardDir;

    FrequencyFn(String shardDir) {
      this.shardDir = shardDir;
    }

    @ProcessElement
    public void process(OutputReceiver<List<Float>> out) {
      DatasetInfo info = info(shardDir);
      List<Float> f = new ArrayList<>();
      for (float v : EvaluatePipeline.trainFrequencies(info, info.numClasses)) {
        f.add(v);
      }
      out.output(f);
    }
  }

  static final class LabelsFn extends DoFn<String, List<String>> {
    private static final long serialVersionUID = 1L;
    private final String shardDir;

    LabelsFn(String shardDir) {
      this.shardDir = shardDir;
    }

    @ProcessElement
    public void process(@Element String modelDir, OutputReceiver<List<String>> out) throws IOException {
      EvaluatePipeline.checkModelFitsData(modelDir, shardDir); // scores are read by position
      out.output(new ArrayList<>(DatasetFiles.readVocabulary(shardDir).names()));
    }
  }

  static final class BaselineFn extends DoFn<ScoredExample, ScoredExample> {
    private static final long serialVersionUID = 1L;
    private final PCollectionView<List<Float>> frequency;

    BaselineFn(PCollectionView<List<Float>> frequency) {
      this.frequency = frequency;
    }

    @ProcessElement
    public void process(@Element ScoredExample e, OutputReceiver<ScoredExample> out, ProcessContext c) {
      List<Float> f = c.sideInput(frequency);
      float[] s = new float[f.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = f.get(i);
      }
      out.output(new ScoredExample(e.id, e.labelBits, s));
    }
  }


}
