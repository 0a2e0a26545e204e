package dev.labelbeam.transforms.evaluation;

import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.Thresholds;
import dev.labelbeam.metrics.report.HtmlReport;
import dev.labelbeam.transforms.shards.DatasetFiles;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Writes the report of an evaluation ({@link EvaluateMultiLabel}'s single element) into a folder on
 * any Beam filesystem: {@code metrics.json}, {@code per_class.csv}, {@code thresholds.json} and
 * {@code report.html}, all four or none (temporaries renamed, so a failed write leaves the previous
 * report whole). The per-class rows get their label names first; with {@link #withBaseline} the report
 * also shows a reference predictor's averages. Outputs the report as written. Needs no LibTorch.
 *
 * <pre>{@code
 * scored.apply(EvaluateMultiLabel.create().withNumClasses(labels.size()).withOptions(MetricsOptions.defaults()))
 *     .apply(WriteEvaluationReports.to("gs://b/eval").withLabels(labels).withTitle("my model on val"));
 * }</pre>
 */
public final class WriteEvaluationReports extends PTransform<PCollection<MultiLabelReport>, PCollection<MultiLabelReport>> {
  private static final long serialVersionUID = 1L;
  public static final String METRICS_FILE = "metrics.json";
  public static final String PER_CLASS_FILE = "per_class.csv";

  /** What is written where: shared by the transform and its DoFn. */
  private record Spec(String outputDir, ArrayList<String> labels, PCollectionView<List<String>> labelsView,
      PCollectionView<MultiLabelReport> baseline, String baselineDescription, String title) implements Serializable {}

  private final Spec s;

  private WriteEvaluationReports(Spec s) {
    this.s = s;
  }

  /** Writes into {@code outputDir} (created when local). */
  public static WriteEvaluationReports to(String outputDir) {
    if (outputDir == null || outputDir.isEmpty()) {
      throw new IllegalArgumentException("outputDir must be a folder, was '" + outputDir + "'");
    }
    return new WriteEvaluationReports(new Spec(outputDir, null, null, null, null, "labelbeam evaluation"));
  }

  /** The class names, in class order (labels.txt). */
  public WriteEvaluationReports withLabels(List<String> names) {
    return new WriteEvaluationReports(new Spec(s.outputDir, new ArrayList<>(names), null, s.baseline,
        s.baselineDescription, s.title));
  }

  /** The class names from a side input, when an earlier step reads them. */
  public WriteEvaluationReports withLabels(PCollectionView<List<String>> names) {
    return new WriteEvaluationReports(new Spec(s.outputDir, null, names, s.baseline, s.baselineDescription, s.title));
  }

  /** A reference predictor's report, whose macro and micro averages the report shows beside its own. */
  public WriteEvaluationReports withBaseline(String description, PCollectionView<MultiLabelReport> report) {
    return new WriteEvaluationReports(new Spec(s.outputDir, s.labels, s.labelsView, report, description, s.title));
  }

  /** The title of {@code report.html}. */
  public WriteEvaluationReports withTitle(String t) {
    return new WriteEvaluationReports(new Spec(s.outputDir, s.labels, s.labelsView, s.baseline, s.baselineDescription, t));
  }

  @Override
  public PCollection<MultiLabelReport> expand(PCollection<MultiLabelReport> reports) {
    List<PCollectionView<?>> sides = new ArrayList<>();
    if (s.labelsView != null) {
      sides.add(s.labelsView);
    }
    if (s.baseline != null) {
      sides.add(s.baseline);
    }
    return reports.apply("WriteReportFiles", ParDo.of(new WriteFn(s)).withSideInputs(sides))
        .setCoder(dev.labelbeam.transforms.coders.JsonCoders.report());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("outputDir", s.outputDir).withLabel("Report folder"));
  }

  /** The files of a report, by name. */
  public static Map<String, String> files(MultiLabelReport r, String title) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put(PER_CLASS_FILE, r.toCsv());
    files.put(Thresholds.FILE_NAME, r.thresholds().toJson());
    files.put(HtmlReport.FILE_NAME, HtmlReport.render(r, title));
    files.put(METRICS_FILE, r.toJson()); // last: readers look for metrics.json
    return files;
  }

  static final class WriteFn extends DoFn<MultiLabelReport, MultiLabelReport> {
    private static final long serialVersionUID = 1L;
    private final Spec spec;

    WriteFn(Spec spec) {
      this.spec = spec;
    }

    @ProcessElement
    public void process(@Element MultiLabelReport report, OutputReceiver<MultiLabelReport> out, ProcessContext c) {
      List<String> names = spec.labelsView() != null ? c.sideInput(spec.labelsView()) : spec.labels();
      MultiLabelReport r = names == null ? report : report.withLabels(names);
      if (spec.baseline() != null) {
        r = r.withBaseline(spec.baselineDescription(), c.sideInput(spec.baseline()));
      }
      try {
        DatasetFiles.createFolderIfLocal(spec.outputDir());
        DatasetFiles.writeTexts(spec.outputDir(), files(r, spec.title()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the report to " + spec.outputDir() + ": " + e.getMessage(), e);
      }
      out.output(r);
    }
  }
}
