package dev.labelbeam.cli;

import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.PairedBootstrap;
import dev.labelbeam.metrics.ReportComparison;
import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.metrics.report.CompareReport;
import dev.labelbeam.transforms.evaluation.PredictionLines;
import dev.labelbeam.transforms.evaluation.WriteEvaluationReports;
import dev.labelbeam.transforms.evaluation.WriteScores;
import dev.labelbeam.transforms.shards.DatasetFiles;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code labelbeam compare A B}: model B's evaluation against model A's, on the same split and labels. */
@Command(name = "compare", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Compare two evaluation folders (each with the metrics.json evaluate writes) of the same split and "
        + "label set: per-class deltas of F1, AUC and AP (B - A), how many classes got better or worse by AUC beyond "
        + "what binning resolves (or, when both were evaluated with --mode exact and kept their scores.jsonl, by a paired "
        + "bootstrap over the examples: the 95%% interval of each class's AUC difference above or below 0), the largest "
        + "gains and losses. Writes compare.json and compare.html; refuses evaluations of other labels or splits.")
public final class CompareCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "The evaluation folder of model A (the reference).")
  String a;

  @Parameters(index = "1", description = "The evaluation folder of model B.")
  String b;

  @Option(names = "--output", required = true, description = "Folder for compare.json and compare.html.")
  String output;

  @Option(names = "--resamples", description = "Paired bootstrap resamples (exact evaluations with scores.jsonl); "
      + "fewer when classes x examples x resamples exceeds about 4e9 steps, none below 100.")
  int resamples = PairedBootstrap.RESAMPLES;

  @Option(names = "--seed", description = "Seed of the bootstrap's resamples.")
  long seed = 17;

  @Override
  public Integer call() throws Exception {
    String dirA = PreprocessCommand.absolute(a);
    String dirB = PreprocessCommand.absolute(b);
    MultiLabelReport reportA = read(dirA);
    ReportComparison c = ReportComparison.of(a, reportA, b, read(dirB));
    c = withBootstrapWhenPossible(c, dirA, dirB, reportA);
    String out = PreprocessCommand.absolute(output);
    DatasetFiles.createFolderIfLocal(out);
    Map<String, String> files = new LinkedHashMap<>();
    files.put(CompareReport.FILE_NAME, CompareReport.render(c));
    files.put("compare.json", c.toJson());
    DatasetFiles.writeTexts(out, files);
    System.out.printf(Locale.ROOT, "%d classes: %d better, %d worse, %d not told apart (by AUC, %s); macro F1 %.4f -> %.4f"
        + "%n", c.perClass().size(), c.better(), c.worse(), c.same(), c.method(), c.macroF1()[0], c.macroF1()[1]);
    System.out.println("comparison: " + out + "/compare.json, " + out + "/" + CompareReport.FILE_NAME);
    return 0;
  }

  /**
   * The paired bootstrap when both folders hold exact evaluations with their scores.jsonl, within a
   * budget of steps; otherwise the comparison as it is.
   */
  private ReportComparison withBootstrapWhenPossible(ReportComparison c, String dirA, String dirB, MultiLabelReport a)
      throws java.io.IOException {
    if (!c.method().startsWith("exact")) {
      return c;
    }
    java.util.List<String> labels = c.perClass().stream().map(ReportComparison.ClassDelta::label).toList();
    int n = PairedBootstrap.resamplesWithin(resamples, labels.size(), (int) a.numExamples(), 4e9);
    if (n == 0) {
      System.out.println("no bootstrap: " + labels.size() + " classes x " + a.numExamples() + " examples is too large");
      return c;
    }
    java.util.List<ScoredExample> scoresA = readScores(dirA, labels);
    java.util.List<ScoredExample> scoresB = scoresA == null ? null : readScores(dirB, labels);
    if (scoresB == null) {
      return c;
    }
    return c.withBootstrap(PairedBootstrap.aucDifference(scoresA, scoresB, labels.size(), n, seed), n);
  }

  /** The examples of an evaluation folder's scores.jsonl, or null when it has none. */
  private static java.util.List<ScoredExample> readScores(String dir, java.util.List<String> labels)
      throws java.io.IOException {
    String text;
    try {
      text = DatasetFiles.readText(dir, WriteScores.FILE_NAME);
    } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException e) {
      return null;
    }
    PredictionLines format = PredictionLines.jsonl(labels);
    java.util.List<ScoredExample> out = new java.util.ArrayList<>();
    for (String line : text.split("\\n")) {
      if (format.isBlank(line)) {
        continue;
      }
      try {
        out.add(format.parse(line));
      } catch (PredictionLines.Problem e) {
        throw new java.io.IOException(dir + "/" + WriteScores.FILE_NAME + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static MultiLabelReport read(String dir) throws java.io.IOException {
    try {
      return MultiLabelReport.fromJson(DatasetFiles.readText(dir, WriteEvaluationReports.METRICS_FILE));
    } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException e) {
      throw new java.io.IOException(dir + " is not an evaluation folder: it has no metrics.json (labelbeam evaluate "
          + "writes one)", e);
    }
  }
}
