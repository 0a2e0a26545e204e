package dev.labelbeam.transforms.evaluation;

import dev.labelbeam.metrics.ScoredExample;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.PDone;

/**
 * Writes every scored example to {@code <dir>/scores.jsonl} in the predictions format
 * ({@link PredictionLines#toJsonLine}: id, true labels, every class's score), one file. An exact-mode
 * evaluation writes it beside its report, so that {@code compare} can run a paired bootstrap over the
 * examples of two evaluations and {@code evaluate --predictions} can evaluate them again.
 */
public final class WriteScores extends PTransform<PCollection<ScoredExample>, PDone> {
  private static final long serialVersionUID = 1L;
  /** The file's name in the evaluation folder. */
  public static final String FILE_NAME = "scores.jsonl";

  private final String dir;
  private final PCollectionView<List<String>> labels;

  private WriteScores(String dir, PCollectionView<List<String>> labels) {
    this.dir = dir;
    this.labels = labels;
  }

  /** Into {@code dir} (any Beam filesystem), with the class names of a side input (labels.txt order). */
  public static WriteScores to(String dir, PCollectionView<List<String>> labels) {
    return new WriteScores(dir, labels);
  }

  /** Into {@code dir}, with these class names. */
  public static WriteScores to(String dir, List<String> labels, org.apache.beam.sdk.Pipeline p) {
    List<List<String>> one = java.util.Collections.singletonList(List.copyOf(labels));
    return new WriteScores(dir, p.apply("LabelNames", Create.of(one)
        .withCoder(org.apache.beam.sdk.coders.ListCoder.of(StringUtf8Coder.of()))).apply("LabelNamesView", View.asSingleton()));
  }

  @Override
  public PDone expand(PCollection<ScoredExample> scored) {
    PCollectionView<List<String>> names = labels;
    return scored
        .apply("ScoreLines", ParDo.of(new DoFn<ScoredExample, String>() {
          @ProcessElement
          public void process(@Element ScoredExample e, OutputReceiver<String> out, ProcessContext c) {
            out.output(PredictionLines.toJsonLine(e, c.sideInput(names)));
          }
        }).withSideInputs(names))
        .setCoder(StringUtf8Coder.of())
        .apply("WriteScoreLines", TextIO.write().to(dir.endsWith("/") ? dir + FILE_NAME : dir + "/" + FILE_NAME)
            .withoutSharding());
  }
}
