package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.Thresholds;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thresholds tuned on val, applied to test: evaluate --thresholds applies them class by class, the
 * counts are those of those thresholds, and metrics.json says where they came from.
 */
class GivenThresholdsTest {
  private static final List<String> LABELS = List.of("cat", "dog", "car");

  /** Predictions of one split: label c present with probability 0.3, scores informative. */
  private static List<float[]> split(Path file, long seed, List<boolean[]> truth) throws Exception {
    Random rnd = new Random(seed);
    List<String> lines = new ArrayList<>();
    List<float[]> scores = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      boolean[] y = new boolean[3];
      float[] s = new float[3];
      List<String> names = new ArrayList<>();
      for (int c = 0; c < 3; c++) {
        y[c] = rnd.nextDouble() < 0.3;
        s[c] = (float) Math.min(1, Math.max(0, (y[c] ? 0.35 : 0.15) + rnd.nextGaussian() * 0.12));
        if (y[c]) {
          names.add("\"" + LABELS.get(c) + "\"");
        }
      }
      truth.add(y);
      scores.add(s);
      lines.add(String.format(Locale.ROOT, "{\"id\": \"%d\", \"labels\": [%s], \"scores\": [%s, %s, %s]}", i,
          String.join(", ", names), s[0], s[1], s[2]));
    }
    Files.write(file, lines);
    return scores;
  }

  @Test
  void thresholdsTunedOnValAreAppliedToTest(@TempDir Path tmp) throws Exception {
    Files.write(tmp.resolve("labels.txt"), LABELS);
    split(tmp.resolve("val.jsonl"), 1, new ArrayList<>());
    List<boolean[]> truth = new ArrayList<>();
    List<float[]> test = split(tmp.resolve("test.jsonl"), 2, truth);
    assertEquals(0, TestCli.run("evaluate", "--predictions", tmp.resolve("val.jsonl").toString(), "--labels",
        tmp.resolve("labels.txt").toString(), "--output", tmp.resolve("val").toString(), "--runner=DirectRunner"));
    Thresholds tuned = Thresholds.fromJson(Files.readString(tmp.resolve("val/thresholds.json")));
    assertEquals("tuned", tuned.sources.get(0));
    assertTrue(Math.abs(tuned.thresholds.get(0) - 0.5) > 0.05, "tuned, not the default: " + tuned.thresholds);

    String given = tmp.resolve("val/thresholds.json").toString();
    assertEquals(0, TestCli.run("evaluate", "--predictions", tmp.resolve("test.jsonl").toString(), "--labels",
        tmp.resolve("labels.txt").toString(), "--thresholds", given, "--output", tmp.resolve("test").toString(),
        "--runner=DirectRunner"));
    MultiLabelReport r = MultiLabelReport.fromJson(Files.readString(tmp.resolve("test/metrics.json")));
    assertEquals(given, r.thresholdsFrom());
    for (int c = 0; c < 3; c++) {
      double t = tuned.thresholds.get(c);
      assertEquals(t, r.perClass().get(c).threshold(), 1e-12);
      long tp = 0;
      long fp = 0;
      for (int i = 0; i < test.size(); i++) {
        boolean predicted = test.get(i)[c] >= t;
        tp += predicted && truth.get(i)[c] ? 1 : 0;
        fp += predicted && !truth.get(i)[c] ? 1 : 0;
      }
      assertEquals(tp, r.perClass().get(c).tp(), LABELS.get(c));
      assertEquals(fp, r.perClass().get(c).fp(), LABELS.get(c));
    }
    MultiLabelReport plain = MultiLabelReport.fromJson(Files.readString(tmp.resolve("val/metrics.json")));
    assertNull(plain.thresholdsFrom());

    Files.write(tmp.resolve("other.txt"), List.of("cat", "car", "dog"));
    StringWriter err = new StringWriter();
    int code = TestCli.run(err, "evaluate", "--predictions",
        tmp.resolve("test.jsonl").toString(), "--labels", tmp.resolve("other.txt").toString(), "--thresholds", given,
        "--output", tmp.resolve("bad").toString(), "--runner=DirectRunner");
    assertEquals(1, code);
    assertTrue(err.toString().contains("differ from the model's"), err.toString());
  }

}
