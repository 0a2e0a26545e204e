package dev.labelbeam.cli;

import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.ReportComparison;
import dev.labelbeam.metrics.report.CompareReport;
import dev.labelbeam.transforms.evaluation.WriteEvaluationReports;
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
        + "what binning resolves, the largest gains and losses. Writes compare.json and compare.html; refuses "
        + "evaluations of other labels or splits.")
public final class CompareCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "The evaluation folder of model A (the reference).")
  String a;

  @Parameters(index = "1", description = "The evaluation folder of model B.")
  String b;

  @Option(names = "--output", required = true, description = "Folder for compare.json and compare.html.")
  String output;

  @Override
  public Integer call() throws Exception {
    String dirA = PreprocessCommand.absolute(a);
    String dirB = PreprocessCommand.absolute(b);
    ReportComparison c = ReportComparison.of(a, read(dirA), b, read(dirB));
    String out = PreprocessCommand.absolute(output);
    DatasetFiles.createFolderIfLocal(out);
    Map<String, String> files = new LinkedHashMap<>();
    files.put(CompareReport.FILE_NAME, CompareReport.render(c));
    files.put("compare.json", c.toJson());
    DatasetFiles.writeTexts(out, files);
    System.out.printf(Locale.ROOT, "%d classes: %d better, %d worse, %d within the bound (by AUC); macro F1 %.4f -> %.4f"
        + "%n", c.perClass().size(), c.better(), c.worse(), c.same(), c.macroF1()[0], c.macroF1()[1]);
    System.out.println("comparison: " + out + "/compare.json, " + out + "/" + CompareReport.FILE_NAME);
    return 0;
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
