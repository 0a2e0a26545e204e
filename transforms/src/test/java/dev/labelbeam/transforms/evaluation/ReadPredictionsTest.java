package dev.labelbeam.transforms.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.labelbeam.metrics.MetricsAccumulator;
import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.shard.LabelBits;
import dev.labelbeam.transforms.errors.DeadLetter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Predictions of any model, as JSON Lines and as CSV: every usable line is evaluated (to the same
 * report as the examples evaluated directly) and every other line is dead-lettered with its reason.
 */
class ReadPredictionsTest {
  private static final List<String> LABELS = List.of("cat", "dog", "car");

  @Test
  void jsonlAndCsvLinesAreEvaluatedOrDeadLetteredEachWithItsReason(@TempDir Path tmp) throws Exception {
    Random rnd = new Random(3);
    List<ScoredExample> truth = new ArrayList<>();
    List<String> jsonl = new ArrayList<>();
    List<String> csv = new ArrayList<>(List.of("id,labels,cat,dog,car"));
    for (int i = 0; i < 60; i++) {
      boolean[] y = {rnd.nextBoolean(), rnd.nextInt(3) == 0, rnd.nextInt(4) == 0};
      float[] s = {rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat()};
      // the file's decimals are what the reader keeps (float64, as given)
      double[] asWritten = {Double.parseDouble(Float.toString(s[0])), Double.parseDouble(Float.toString(s[1])),
          Double.parseDouble(Float.toString(s[2]))};
      truth.add(ScoredExample.ofDoubles("img" + i, LabelBits.packDense(y), asWritten));
      List<String> names = new ArrayList<>();
      for (int c = 0; c < 3; c++) {
        if (y[c]) {
          names.add(LABELS.get(c));
        }
      }
      if (i % 2 == 0) {
        jsonl.add(String.format(Locale.ROOT, "{\"id\": \"img%d\", \"labels\": [%s], \"scores\": [%s, %s, %s]}", i,
            names.isEmpty() ? "" : "\"" + String.join("\", \"", names) + "\"", s[0], s[1], s[2]));
      } else {
        csv.add(String.format(Locale.ROOT, "img%d,%s,%s,%s,%s", i, String.join("|", names), s[0], s[1], s[2]));
      }
    }
    // one line of each bad kind
    jsonl.add("not json at all");
    jsonl.add("{\"id\": \"short\", \"labels\": [], \"scores\": [0.1, 0.2]}");
    jsonl.add("{\"id\": \"bird\", \"labels\": [\"bird\"], \"scores\": [0.1, 0.2, 0.3]}");
    jsonl.add("{\"id\": \"img0\", \"labels\": [], \"scores\": [0.9, 0.9, 0.9]}"); // img0 again, later in the file
    csv.add("nan,cat,NaN,0.1,0.2");
    Files.write(tmp.resolve("a.jsonl"), jsonl);
    Files.write(tmp.resolve("b.csv"), csv);

    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    PCollectionTuple read = p.apply(ReadPredictions.from(tmp + "/*").withLabels(LABELS));
    MetricsOptions exact = MetricsOptions.defaults().withMode(MetricsOptions.Mode.EXACT);
    MetricsAccumulator acc = exact.newAccumulator(3);
    truth.forEach(acc::add);
    MultiLabelReport expected = exact.report(acc);
    PAssert.thatSingleton(read.get(ReadPredictions.SCORED).apply(EvaluateMultiLabel.create().withNumClasses(3).withOptions(exact)))
        .satisfies(r -> {
          assertEquals(expected.withExampleSet(dev.labelbeam.metrics.ExampleSet.ofIds(
              truth.stream().map(e -> e.id).toList())).toJson(), r.toJson());
          assertEquals("float64", r.scorePrecision(), "exact mode compares the file's scores as given");
          return null;
        });
    PAssert.that(read.get(ReadPredictions.DEAD_LETTERS)
            .apply(MapElements.into(TypeDescriptors.strings()).via((DeadLetter d) -> d.reason().code()))
            .apply(Count.perElement())
            .apply(MapElements.into(TypeDescriptors.strings()).via(kv -> kv.getKey() + "=" + kv.getValue())))
        .containsInAnyOrder("bad_prediction_line=2", "wrong_score_count=1", "unknown_label=1", "duplicate_id=1");
    p.run().waitUntilFinish();
  }

  @Test
  void aCsvHeaderOfOtherClassesFailsTheRun(@TempDir Path tmp) throws Exception {
    Files.write(tmp.resolve("p.csv"), List.of("id,labels,dog,cat,car", "a,cat,0.1,0.2,0.3"));
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    p.apply(ReadPredictions.from(tmp + "/p.csv").withLabels(LABELS));
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> p.run().waitUntilFinish());
    org.junit.jupiter.api.Assertions.assertTrue(String.valueOf(e.getMessage()).contains("not labels.txt's 3 labels in order"),
        e.toString());
  }

  @Test
  void linesWithoutTrueLabelsOrWithLogitsAreRefusedAndCsvIsReadAsRfc4180() throws Exception {
    PredictionLines json = PredictionLines.jsonl(LABELS);
    PredictionLines.Problem noLabels = org.junit.jupiter.api.Assertions.assertThrows(PredictionLines.Problem.class,
        () -> json.parse("{\"id\": \"a\", \"scores\": [0.1, 0.2, 0.3]}"));
    assertEquals(dev.labelbeam.transforms.errors.Reason.BAD_PREDICTION_LINE, noLabels.reason());
    org.junit.jupiter.api.Assertions.assertTrue(noLabels.getMessage().contains("no \"labels\" key"));
    PredictionLines.Problem misspelt = org.junit.jupiter.api.Assertions.assertThrows(PredictionLines.Problem.class,
        () -> json.parse("{\"id\": \"a\", \"label\": [\"cat\"], \"labels\": [], \"scores\": [0.1, 0.2, 0.3]}"));
    org.junit.jupiter.api.Assertions.assertTrue(misspelt.getMessage().contains("unknown key \"label\""));
    assertEquals("a", json.parse("{\"id\": \"a\", \"labels\": [], \"predicted\": [], \"scores\": [0, 0.5, 1]}").id);
    for (String logit : List.of("-0.5", "1.5", "3.2")) {
      PredictionLines.Problem p = org.junit.jupiter.api.Assertions.assertThrows(PredictionLines.Problem.class,
          () -> json.parse("{\"id\": \"a\", \"labels\": [], \"scores\": [0.1, " + logit + ", 0.3]}"));
      assertEquals(dev.labelbeam.transforms.errors.Reason.SCORE_OUT_OF_RANGE, p.reason());
      org.junit.jupiter.api.Assertions.assertTrue(p.getMessage().contains("sigmoid"), p.getMessage());
    }
    // CSV as Python's csv writes it with QUOTE_ALL: a quoted header, an id with a comma, a quoted label
    PredictionLines csv = PredictionLines.csv(List.of("cat", "say \"hi\""));
    org.junit.jupiter.api.Assertions.assertTrue(csv.isHeader("\"id\",\"labels\",\"cat\",\"say \"\"hi\"\"\"\r"));
    ScoredExample e = csv.parse("\"a,b.jpg\",\"cat|say \"\"hi\"\"\",\"0.25\",\"0.75\"");
    assertEquals("a,b.jpg", e.id);
    assertEquals(List.of(0, 1), java.util.Arrays.stream(LabelBits.unpack(e.labelBits, 2)).boxed().toList());
    assertEquals(0.75, e.scores64[1]);
  }

  @org.junit.jupiter.api.Test
  void unusableLinesAlsoGoToBeamsBadRecordErrorHandler(@TempDir Path tmp) throws Exception {
    Path f = Files.write(tmp.resolve("p.jsonl"), List.of("{\"id\": \"a\", \"labels\": [], \"scores\": [0.1, 0.2, 0.3]}",
        "{\"id\": \"b\", \"scores\": [0.1, 0.2, 0.3]}", "{\"id\": \"c\", \"labels\": [], \"scores\": [2, 0.2, 0.3]}",
        "not json"));
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    var handler = p.registerBadRecordErrorHandler(new dev.labelbeam.transforms.errors.CountBadRecords());
    PCollectionTuple read = p.apply(ReadPredictions.from(f.toString()).withLabels(LABELS).withBadRecordErrorHandler(handler));
    handler.close();
    PAssert.thatSingleton(handler.getOutput()).isEqualTo(3L);
    PAssert.thatSingleton(read.get(ReadPredictions.DEAD_LETTERS).apply(Count.globally())).isEqualTo(3L);
    p.run().waitUntilFinish();
  }
}
