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
}
