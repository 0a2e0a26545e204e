package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labelbeam.cli.LabelbeamCli;
import dev.labelbeam.metrics.MetricsAccumulator;
import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.shard.LabelBits;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * compare: a model whose scores separate the classes better than another's is better on most classes
 * beyond the binned AUC bound; evaluations of other labels are refused.
 */
class CompareCommandTest {
  private static final List<String> LABELS = List.of("a", "b", "c", "d", "e", "f", "g", "h");

  /** Binned metrics of 2,000 examples whose scores separate positives by {@code separation}. */
  private static MultiLabelReport report(double separation, List<String> labels) {
    Random rnd = new Random(11); // the same examples and noise for both models
    MetricsOptions o = MetricsOptions.defaults();
    MetricsAccumulator acc = o.newAccumulator(labels.size());
    for (int i = 0; i < 2000; i++) {
      boolean[] y = new boolean[labels.size()];
      float[] s = new float[labels.size()];
      for (int c = 0; c < y.length; c++) {
        y[c] = rnd.nextInt(4) == 0;
        double logit = rnd.nextGaussian() + (y[c] ? separation * (1 + c * 0.1) : 0) - 1;
        s[c] = (float) (1 / (1 + Math.exp(-logit)));
      }
      acc.add(new ScoredExample("x" + i, LabelBits.packDense(y), s));
    }
    return o.report(acc).withLabels(labels);
  }

  private static Path folder(Path dir, MultiLabelReport r) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("metrics.json"), r.toJson());
    return dir;
  }

  @Test
  void theBetterModelWinsOnMostClassesAndOtherLabelsAreRefused(@TempDir Path tmp) throws Exception {
    Path weak = folder(tmp.resolve("epoch2"), report(0.5, LABELS));
    Path strong = folder(tmp.resolve("epoch12"), report(2.0, LABELS));
    StringWriter err = new StringWriter();
    int code = LabelbeamCli.commandLine().setErr(new PrintWriter(err)).execute("compare", weak.toString(),
        strong.toString(), "--output", tmp.resolve("cmp").toString());
    assertEquals(0, code, err.toString());
    JsonNode c = new ObjectMapper().readTree(tmp.resolve("cmp/compare.json").toFile());
    assertTrue(c.get("better").asInt() >= 7 && c.get("worse").asInt() == 0, c.toString().substring(0, 200));
    assertEquals(LABELS.size(), c.get("perClass").size());
    assertTrue(c.get("largestGains").size() > 0);
    assertTrue(Files.readString(tmp.resolve("cmp/compare.html")).contains("better"));

    List<String> shuffled = new ArrayList<>(LABELS);
    Collections.swap(shuffled, 0, 1);
    Path other = folder(tmp.resolve("other"), report(2.0, shuffled));
    err = new StringWriter();
    code = LabelbeamCli.commandLine().setErr(new PrintWriter(err)).execute("compare", weak.toString(),
        other.toString(), "--output", tmp.resolve("cmp2").toString());
    assertEquals(1, code);
    assertTrue(err.toString().contains("other label sets"), err.toString());
  }

  /** Predictions of {@code n} examples named {@code prefix + i}, the same scores whatever the prefix. */
  private static Path predictions(Path file, String prefix, int n) throws Exception {
    Random rnd = new Random(5);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<String> truth = new ArrayList<>();
      List<String> scores = new ArrayList<>();
      for (String l : LABELS) {
        boolean y = rnd.nextInt(3) == 0;
        if (y) {
          truth.add("\"" + l + "\"");
        }
        // well separated: most pairs fall in bins of their own, and binned differs from exact by about its bound
        double logit = rnd.nextGaussian() * 3 + (y ? 6 : -6);
        scores.add(Float.toString((float) (1 / (1 + Math.exp(-logit)))));
      }
      lines.add("{\"id\": \"" + prefix + i + "\", \"labels\": [" + String.join(", ", truth) + "], \"scores\": ["
          + String.join(", ", scores) + "]}");
    }
    Files.write(file, lines);
    return file;
  }

  @Test
  void evaluationsOfOtherExamplesAreRefusedAndBinnedAgainstExactIsNotWorse(@TempDir Path tmp) throws Exception {
    Path labels = Files.write(tmp.resolve("labels.txt"), LABELS);
    Path val = predictions(tmp.resolve("val.jsonl"), "val/", 600);
    Path test = predictions(tmp.resolve("test.jsonl"), "test/", 600); // the same count and scores, other images
    for (String[] run : List.of(new String[] {"val", val.toString(), "binned"}, new String[] {"val-exact", val.toString(), "exact"},
        new String[] {"test", test.toString(), "binned"})) {
      assertEquals(0, TestCli.run("evaluate", "--predictions", run[1], "--labels", labels.toString(), "--mode", run[2],
          "--output", tmp.resolve(run[0]).toString(), "--runner", "DirectRunner"));
    }
    StringWriter err = new StringWriter();
    assertEquals(1, TestCli.run(err, "compare", tmp.resolve("val").toString(), tmp.resolve("test").toString(),
        "--output", tmp.resolve("cmp").toString()));
    assertTrue(err.toString().contains("not the same ones"), err.toString());
    // the same scores, binned and exact: no class is better or worse
    assertEquals(0, TestCli.run("compare", tmp.resolve("val").toString(), tmp.resolve("val-exact").toString(),
        "--output", tmp.resolve("cmp2").toString()));
    JsonNode c = new ObjectMapper().readTree(tmp.resolve("cmp2/compare.json").toFile());
    assertEquals(0, c.get("better").asInt(), c.toString().substring(0, 300));
    assertEquals(0, c.get("worse").asInt(), c.toString().substring(0, 300));
  }

  @Test
  void logitsAreDeadLetteredAndTheExampleSetIsTheSameOnBothRunners(@TempDir Path tmp) throws Exception {
    Path labels = Files.write(tmp.resolve("labels.txt"), LABELS);
    Path val = predictions(tmp.resolve("val.jsonl"), "val/", 200);
    List<String> lines = new ArrayList<>(Files.readAllLines(val));
    lines.add(lines.get(0).replace("\"val/0\"", "\"val/logits\"").replaceFirst("\"scores\": \\[[^,]*", "\"scores\": [3.5"));
    Files.write(val, lines);
    List<String> sets = new ArrayList<>();
    for (String runner : List.of("DirectRunner", "FlinkRunner")) {
      Path out = tmp.resolve("eval-" + runner);
      assertEquals(0, TestCli.run("evaluate", "--predictions", val.toString(), "--labels", labels.toString(),
          "--output", out.toString(), "--runner", runner));
      String dead = Files.readString(out.resolve(EvaluatePredictionsPipeline.DEAD_LETTER_FILE));
      assertTrue(dead.contains("score_out_of_range") && dead.contains("val/logits"), runner + ": " + dead);
      JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
      assertEquals(200, m.get("numExamples").asLong(), runner);
      sets.add(m.get("exampleSet").asText());
    }
    assertEquals(sets.get(0), sets.get(1), "the same examples give the same exampleSet on both runners");
    java.util.List<String> ids = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      ids.add("val/" + i);
    }
    assertEquals(dev.labelbeam.metrics.ExampleSet.ofIds(ids), sets.get(0));
  }
}
