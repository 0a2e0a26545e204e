package dev.labelbeam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The option files in runner-configs/ reach Beam through the command line: each parses, names its runner,
 * and its Beam flags arrive in the pipeline options (a mixin's unmatched arguments were once dropped
 * silently, so every runner file ran on the default runner).
 */
class RunnerConfigsTest {
  private static final Path CONFIGS = Path.of("..", "runner-configs").toAbsolutePath().normalize();

  /** Parses {@code preprocess @file ...} as the command line would and returns the pipeline options. */
  private static PipelineOptions preprocessOptions(String... args) {
    CommandLine cl = LabelbeamCli.commandLine();
    CommandLine.ParseResult parsed = cl.parseArgs(args);
    PreprocessCommand cmd = (PreprocessCommand) parsed.subcommand().commandSpec().userObject();
    return cmd.runner.options();
  }

  @Test
  void flinkClusterFileReachesBeam() {
    PipelineOptions o = preprocessOptions("preprocess", "@" + CONFIGS.resolve("flink-cluster.args"),
        "--manifest", "m.csv", "--output", "out");
    assertEquals(FlinkRunner.class, o.getRunner());
    FlinkPipelineOptions f = o.as(FlinkPipelineOptions.class);
    assertEquals("127.0.0.1:8081", f.getFlinkMaster());
    assertEquals(2, f.getParallelism());
    assertEquals(List.of("pipelines/target/labelbeam-bundled.jar"), f.getFilesToStage());
  }

  @Test
  void flinkLocalFileAndFlagsOnTheCommandLine() {
    PipelineOptions o = preprocessOptions("preprocess", "@" + CONFIGS.resolve("flink-local.args"),
        "--manifest", "m.csv", "--output", "out", "--maxBundleSize=500");
    FlinkPipelineOptions f = o.as(FlinkPipelineOptions.class);
    assertEquals("[local]", f.getFlinkMaster());
    assertEquals(500L, f.getMaxBundleSize());
  }

  @Test
  void aStrayWordIsAnError() {
    // a usage error (exit code 2), as picocli's own
    picocli.CommandLine.ParameterException e = assertThrows(picocli.CommandLine.ParameterException.class,
        () -> preprocessOptions("preprocess", "--manifest", "m.csv", "--output", "out", "flinkMaster"));
    assertTrue(e.getMessage().contains("--name=value") && e.getMessage().contains("quote it"), e.getMessage());
  }

  @Test
  void everyOptionFileParses() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(CONFIGS)) {
      files = s.filter(f -> f.toString().endsWith(".args")).sorted().toList();
    }
    assertTrue(files.size() >= 4, files.toString());
    for (Path f : files) {
      String runner = Files.readAllLines(f).stream().filter(l -> l.startsWith("--runner=")).findFirst()
          .orElseThrow(() -> new AssertionError(f + " names no --runner"));
      if (runner.equals("--runner=DataflowRunner") && !onClassPath("org.apache.beam.runners.dataflow.DataflowRunner")) {
        continue; // checked by mvn -Pdataflow test
      }
      PipelineOptions o = preprocessOptions("preprocess", "@" + f, "--manifest", "m.csv", "--output", "out");
      assertEquals(runner.substring("--runner=".length()), o.getRunner().getSimpleName(), f.toString());
    }
  }

  @Test
  void dataflowFileGivesProjectRegionAndTempLocation() throws Exception {
    Assumptions.assumeTrue(onClassPath("org.apache.beam.runners.dataflow.DataflowRunner"),
        "the Dataflow runner is on the class path only with -Pdataflow");
    PipelineOptions o = preprocessOptions("preprocess", "@" + CONFIGS.resolve("dataflow.args"),
        "--manifest", "gs://bucket/manifest.csv", "--output", "gs://bucket/shards");
    @SuppressWarnings("unchecked")
    Class<? extends PipelineOptions> df = (Class<? extends PipelineOptions>)
        Class.forName("org.apache.beam.runners.dataflow.options.DataflowPipelineOptions");
    PipelineOptions d = o.as(df);
    for (String getter : new String[] {"getProject", "getRegion", "getTempLocation", "getWorkerMachineType"}) {
      Object v = df.getMethod(getter).invoke(d);
      assertTrue(v != null && !v.toString().isEmpty(), getter + " is set");
    }
  }

  private static boolean onClassPath(String cls) {
    try {
      Class.forName(cls);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  @Test
  void commandsRunDirectRunnerWithoutItsTestEnforcementUnlessAsked() {
    org.apache.beam.runners.direct.DirectOptions plain = preprocessOptions("preprocess", "--manifest", "m.csv",
        "--output", "out", "--runner=DirectRunner").as(org.apache.beam.runners.direct.DirectOptions.class);
    assertTrue(!plain.isEnforceImmutability() && !plain.isEnforceEncodability(),
        "enforcement keeps encoded copies of every element; off for the commands");
    org.apache.beam.runners.direct.DirectOptions asked = preprocessOptions("preprocess", "--manifest", "m.csv",
        "--output", "out", "--runner=DirectRunner", "--enforceImmutability=true")
        .as(org.apache.beam.runners.direct.DirectOptions.class);
    assertTrue(asked.isEnforceImmutability() && !asked.isEnforceEncodability());
  }

  @Test
  void theDefaultRunnerIsAnEmbeddedFlinkWithOneSlotPerCore() {
    PipelineOptions o = preprocessOptions("preprocess", "--manifest", "m.csv", "--output", "out");
    assertEquals(FlinkRunner.class, o.getRunner());
    FlinkPipelineOptions f = o.as(FlinkPipelineOptions.class);
    assertEquals("[local]", f.getFlinkMaster());
    assertEquals(Runtime.getRuntime().availableProcessors(), f.getParallelism());
    assertTrue(f.getFasterCopy(), "no copy between chained operators (our DoFns do not mutate inputs)");
    FlinkPipelineOptions given = preprocessOptions("preprocess", "--manifest", "m.csv", "--output", "out",
        "--parallelism=1").as(FlinkPipelineOptions.class);
    assertEquals(1, given.getParallelism());
  }
}
