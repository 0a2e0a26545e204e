package dev.labelbeam.transforms.evaluation;

import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.transforms.shards.DatasetFiles;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.PDone;

/**
 * Writes every scored example to {@code <dir>/scores.jsonl} in the predictions format
 * ({@link PredictionLines#toJsonLine}: id, true labels, every class's score), one file. An exact-mode
 * evaluation writes it beside its report, so that {@code compare} can run a paired bootstrap over the
 * examples of two evaluations and {@code evaluate --predictions} can evaluate them again. The class
 * names come as a list or, when an earlier step reads them, as a side input (as
 * {@link WriteEvaluationReports} takes them).
 */
public final class WriteScores extends PTransform<PCollection<ScoredExample>, PDone> {
  private static final long serialVersionUID = 1L;
  /** The file's name in the evaluation folder. */
  public static final String FILE_NAME = "scores.jsonl";

  private final String dir;
  private final ArrayList<String> labels;
  private final PCollectionView<List<String>> labelsView;

  private WriteScores(String dir, ArrayList<String> labels, PCollectionView<List<String>> labelsView) {
    this.dir = dir;
    this.labels = labels;
    this.labelsView = labelsView;
  }

  /** Into {@code dir} (any Beam filesystem), with these class names (labels.txt order). */
  public static WriteScores to(String dir, List<String> labels) {
    return new WriteScores(dir, new ArrayList<>(labels), null);
  }

  /** Into {@code dir}, with the class names of a side input. */
  public static WriteScores to(String dir, PCollectionView<List<String>> labels) {
    return new WriteScores(dir, null, labels);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("outputDir", dir).withLabel("Output folder"))
        .addIfNotNull(DisplayData.item("classes", labels == null ? null : (long) labels.size()).withLabel("Classes"));
  }

  @Override
  public PDone expand(PCollection<ScoredExample> scored) {
    ArrayList<String> names = labels;
    PCollectionView<List<String>> view = labelsView;
    ParDo.SingleOutput<ScoredExample, String> lines = ParDo.of(new DoFn<ScoredExample, String>() {
      @ProcessElement
      public void process(@Element ScoredExample e, OutputReceiver<String> out, ProcessContext c) {
        out.output(PredictionLines.toJsonLine(e, names != null ? names : c.sideInput(view)));
      }
    });
    return scored
        .apply("ScoreLines", view == null ? lines : lines.withSideInputs(view))
        .setCoder(StringUtf8Coder.of())
        .apply("WriteScoreLines", TextIO.write().to(DatasetFiles.file(dir, FILE_NAME).toString()).withoutSharding());
  }
}
