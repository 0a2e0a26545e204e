package dev.labelbeam.transforms.evaluation;

import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.Thresholds;
import dev.labelbeam.metrics.report.HtmlReport;
import dev.labelbeam.transforms.shards.DatasetFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.SerializableCoder;
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
 * scored.apply(EvaluateMultiLabel.of(labels.size(), MetricsOptions.defaults()))
 *     .apply(WriteEvaluationReports.to("gs://b/eval").withLabels(labels).withTitle("my model on val"));
 * }</pre>
 */
public final class WriteEvaluationReports extends PTransform<PCollection<MultiLabelReport>, PCollection<MultiLabelReport>> {
  private static final long serialVersionUID = 1L;
  public static final String METRICS_FILE = "metrics.json";
  public static final String PER_CLASS_FILE = "per_class.csv";

  private final String outputDir;
  private final List<String> labels;
  private final PCollectionView<List<String>> labelsView;
  private final PCollectionView<MultiLabelReport> baseline;
  private final String baselineDescription;
  private final String title;

  private WriteEvaluationReports(String outputDir, List<String> labels, PCollectionView<List<String>> labelsView,
      PCollectionView<MultiLabelReport> baseline, String baselineDescription, String title) {
    this.outputDir = outputDir;
    this.labels = labels;
    this.labelsView = labelsView;
    this.baseline = baseline;
    this.baselineDescription = baselineDescription;
    this.title = title;
  }

  /** Writes into {@code outputDir} (created when local). */
  public static WriteEvaluationReports to(String outputDir) {
    if (outputDir == null || outputDir.isEmpty()) {
      throw new IllegalArgumentException("outputDir must be a folder, was '" + outputDir + "'");
    }
    return new WriteEvaluationReports(outputDir, null, null, null, null, "labelbeam evaluation");
  }

  /** The class names, in class order (labels.txt). */
  public WriteEvaluationReports withLabels(List<String> names) {
    return new WriteEvaluationReports(outputDir, new ArrayList<>(names), null, baseline, baselineDescription, title);
  }

  /** The class names from a side input, when an earlier step reads them. */
  public WriteEvaluationReports withLabels(PCollectionView<List<String>> names) {
    return new WriteEvaluationReports(outputDir, null, names, baseline, baselineDescription, title);
  }

  /** A reference predictor's report, whose macro and micro averages the report shows beside its own. */
  public WriteEvaluationReports withBaseline(String description, PCollectionView<MultiLabelReport> report) {
    return new WriteEvaluationReports(outputDir, labels, labelsView, report, description, title);
  }

  /** The title of {@code report.html}. */
  public WriteEvaluationReports withTitle(String t) {
    return new WriteEvaluationReports(outputDir, labels, labelsView, baseline, baselineDescription, t);
  }

  @Override
  public PCollection<MultiLabelReport> expand(PCollection<MultiLabelReport> reports) {
    List<PCollectionView<?>> sides = new ArrayList<>();
    if (labelsView != null) {
      sides.add(labelsView);
    }
    if (baseline != null) {
      sides.add(baseline);
    }
    WriteFn write = new WriteFn(outputDir, labels == null ? null : new ArrayList<>(labels), labelsView, baseline,
        baselineDescription, title);
    return reports.apply("WriteReportFiles", ParDo.of(write).withSideInputs(sides))
        .setCoder(SerializableCoder.of(MultiLabelReport.class));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("outputDir", outputDir).withLabel("Report folder"));
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
    private final String outputDir;
    private final ArrayList<String> labels;
    private final PCollectionView<List<String>> labelsView;
    private final PCollectionView<MultiLabelReport> baseline;
    private final String baselineDescription;
    private final String title;

    WriteFn(String outputDir, ArrayList<String> labels, PCollectionView<List<String>> labelsView,
        PCollectionView<MultiLabelReport> baseline, String baselineDescription, String title) {
      this.outputDir = outputDir;
      this.labels = labels;
      this.labelsView = labelsView;
      this.baseline = baseline;
      this.baselineDescription = baselineDescription;
      this.title = title;
    }

    @ProcessElement
    public void process(@Element MultiLabelReport report, OutputReceiver<MultiLabelReport> out, ProcessContext c) {
      List<String> names = labelsView != null ? c.sideInput(labelsView) : labels;
      MultiLabelReport r = names == null ? report : report.withLabels(names);
      if (baseline != null) {
        r = r.withBaseline(baselineDescription, c.sideInput(baseline));
      }
      try {
        DatasetFiles.createFolderIfLocal(outputDir);
        DatasetFiles.writeTexts(outputDir, files(r, title));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the report to " + outputDir + ": " + e.getMessage(), e);
      }
      out.output(r);
    }
  }
}
