package dev.labelbeam.benchmarks;

import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.transforms.evaluation.EvaluateMultiLabel;
import dev.labelbeam.transforms.evaluation.ScoredExampleCoder;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;

/**
 * The evaluation at scale: {@code classes × examples} synthetic scores through
 * {@code EvaluateMultiLabel} (binned) on the Flink runner (embedded, parallelism 2); prints the wall time, the peak heap and the
 * headline metrics. Run with the heap to prove, e.g. {@code -Xmx4g}:
 * {@code benchmarks/scripts/evaluation-scale.sh}.
 */
public final class EvaluationScaleRun {
  private EvaluationScaleRun() {}

  public static void main(String[] args) throws Exception {
    int classes = args.length > 0 ? Integer.parseInt(args[0]) : 11_000;
    long examples = args.length > 1 ? Long.parseLong(args[1]) : 200_000;
    Path out = Files.createTempDirectory("labelbeam-eval-scale");
    String metricsFile = out.resolve("metrics.json").toString();
    String runner = args.length > 2 ? args[2] : "FlinkRunner";
    // DirectRunner materializes each step's whole output bundle, so its memory grows with the input;
    // the Flink runner streams elements through fused operators as a production runner does.
    String[] options = runner.equals("DirectRunner")
        ? new String[] {"--runner=DirectRunner", "--targetParallelism=2", "--enforceImmutability=false", "--enforceEncodability=false"}
        : new String[] {"--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2"};
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(options).create());
    p.apply(GenerateSequence.from(0).to(examples))
        .apply("Synthesize", ParDo.of(new DoFn<Long, ScoredExample>() {
          @ProcessElement
          public void process(@Element Long i, OutputReceiver<ScoredExample> o) {
            o.output(SyntheticScores.row(i, classes));
          }
        }))
        .setCoder(ScoredExampleCoder.of())
        .apply(EvaluateMultiLabel.create().withNumClasses(classes))
        .apply("Write", ParDo.of(new DoFn<MultiLabelReport, Void>() {
          @ProcessElement
          public void process(@Element MultiLabelReport r) throws Exception {
            Files.writeString(Path.of(metricsFile), r.toJson());
          }
        }));
    long start = System.nanoTime();
    p.run().waitUntilFinish();
    double seconds = (System.nanoTime() - start) / 1e9;
    MultiLabelReport r = MultiLabelReport.fromJson(Files.readString(out.resolve("metrics.json")));
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    double maxBound = r.perClass().stream().filter(m -> m.aucErrorBound() != null).mapToDouble(m -> m.aucErrorBound()).max().orElse(0);
    System.out.printf(Locale.ROOT, "evaluation scale run on %s: %d classes x %d examples (%.2e scores), binned %d bins%n",
        runner, classes, examples, (double) classes * examples, r.bins());
    System.out.printf(Locale.ROOT, "  wall %.1f s, %.3g scores/s, peak heap %.0f MB of max %.0f MB%n", seconds,
        classes * (double) examples / seconds, peak / 1e6, Runtime.getRuntime().maxMemory() / 1e6);
    System.out.printf(Locale.ROOT, "  macro-AUC %.4f (%d classes defined), mAP %.4f, micro-F1 %.4f, largest per-class AUC error bound %.2e%n",
        r.macro().auc(), r.macro().aucClasses(), r.macro().ap(), r.micro().f1(), maxBound);
    System.out.println("  metrics.json: " + out.resolve("metrics.json"));
  }
}
