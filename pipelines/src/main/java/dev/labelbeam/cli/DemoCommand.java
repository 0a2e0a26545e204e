package dev.labelbeam.cli;

import dev.labelbeam.pipelines.DemoRun;
import dev.labelbeam.trainer.DeviceChoice;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code labelbeam demo}: the whole workflow on the embedded synthetic dataset. */
@Command(name = "demo", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Run the whole workflow on the embedded synthetic dataset (colored shapes on noisy backgrounds, "
        + "12 labels): generate images and a manifest, preprocess with Beam, train with LibTorch, evaluate with "
        + "Beam, and print per-class metrics next to a label-frequency baseline. Fails when macro-AUC on test (at the "
        + "thresholds tuned on val) is below --min-auc.",
    footer = BeamRunnerOptions.FOOTER)
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--workdir", defaultValue = "demo-out", description = "Folder for data, shards, model and metrics.")
  Path workDir;

  @Option(names = "--images", defaultValue = "3000", description = "Number of synthetic images.")
  int images;

  @Option(names = "--image-size", defaultValue = "48", description = "Shorter side after preprocessing (the model's input size).")
  int imageSize;

  @Option(names = "--epochs", defaultValue = "12", description = "Training epochs.")
  int epochs;

  @Option(names = "--seed", defaultValue = "2026", description = "Seed of the dataset and of training.")
  long seed;

  @Option(names = "--device", defaultValue = "auto", description = "${COMPLETION-CANDIDATES}: auto is CUDA when available.")
  DeviceChoice device;

  @Option(names = "--workers", defaultValue = "1", description = "Data-parallel training worker processes.")
  int workers;

  @Option(names = "--min-auc", defaultValue = "0.9", description = "Exit with status 2 when macro-AUC on test is below this.")
  double minAuc;

  @Mixin BeamRunnerOptions runner;

  @Override
  public Integer call() throws Exception {
    DemoRun.Options s = DemoRun.Options.defaults().withWorkDir(workDir.toAbsolutePath()).withImages(images)
        .withImageSize(imageSize).withEpochs(epochs).withSeed(seed).withDevice(device).withWorkers(workers);
    DemoRun.Result r = DemoRun.run(s, runner.options(), System.out);
    double auc = r.report.macro().auc() == null ? 0 : r.report.macro().auc();
    if (auc < minAuc) {
      System.out.printf("demo FAILED: macro-AUC on test %.4f is below %.2f%n", auc, minAuc);
      return 2;
    }
    System.out.printf("demo OK: macro-AUC on test %.4f >= %.2f (macro-F1 %.4f at the thresholds tuned on val)%n", auc, minAuc,
        r.report.macro().f1());
    return 0;
  }
}
