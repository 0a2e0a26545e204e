package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.trainer.TorchRuntime;
import dev.labelbeam.trainer.model.Checkpoints;
import dev.labelbeam.trainer.model.ModelSpec;
import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filesystem settings a user gives as pipeline options (an S3 endpoint or region, a GCS project)
 * hold everywhere a command reads: on its client side and inside the pipeline's steps, on DirectRunner
 * and the embedded Flink. {@code lbroot://} is a test filesystem whose root is such an option
 * ({@code --lbRoot}); once, the steps that read shards and models registered Beam's filesystems again
 * with default options, and every read of such a scheme failed. Each command runs in a JVM of its own,
 * so that no registration left by another test hides that.
 */
class FilesystemOptionsTest {

  private static int cli(Path log, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx2g", "-cp", System.getProperty("java.class.path"), dev.labelbeam.cli.LabelbeamCli.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(240, TimeUnit.SECONDS), "the command finished: " + String.join(" ", args));
    return p.exitValue();
  }

  @Test
  void optionsOfAFilesystemHoldInEveryStepOnBothRunners(@TempDir Path root) throws Exception {
    SyntheticShapes.generate(root.resolve("data"), 60, 32, 8);
    String rootFlag = "--lbRoot=" + root.toAbsolutePath();
    Path log = root.resolve("log.txt");
    // images and manifest read through lbroot:// (the manifest's folder, then each image, in the steps)
    assertEquals(0, cli(log, "preprocess", "--manifest", "lbroot:///data/manifest.csv", "--output",
        root.resolve("shards").toString(), "--resize", "shorter:24", "--val-fraction", "0.5", "--runner",
        "DirectRunner", rootFlag), Files.readString(log));
    TorchRuntime.load();
    ModelSpec spec = ModelSpec.smallCnn(SyntheticShapes.labels(), 4, 24);
    Path model = root.resolve("model");
    Checkpoints.save(spec.build(), spec, model);
    for (String runner : List.of("DirectRunner", "FlinkRunner")) {
      Path out = root.resolve("eval-" + runner);
      assertEquals(0, cli(log, "evaluate", "--shards", "lbroot:///shards", "--model", model.toString(), "--output",
          out.toString(), "--device", "cpu", "--runner", runner, rootFlag), Files.readString(log));
      assertTrue(Files.exists(out.resolve(EvaluatePipeline.METRICS_FILE)), runner);
      Path preds = root.resolve("preds-" + runner);
      assertEquals(0, cli(log, "predict", "--records", "lbroot:///shards/val-*.tfrecord", "--model", model.toString(),
          "--output", preds.toString(), "--device", "cpu", "--runner", runner, rootFlag), Files.readString(log));
      long lines = 0;
      try (var files = Files.list(preds)) {
        for (Path f : (Iterable<Path>) files.filter(f -> f.getFileName().toString().startsWith("predictions"))::iterator) {
          lines += Files.readAllLines(f).size();
        }
      }
      assertTrue(lines > 10, runner + ": " + lines + " predictions");
    }
  }
}
