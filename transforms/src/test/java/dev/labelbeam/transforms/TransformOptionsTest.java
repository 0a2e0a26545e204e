package dev.labelbeam.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.LabelBits;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.evaluation.EvaluateMultiLabel;
import dev.labelbeam.transforms.images.DecodeAndResize;
import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.images.TestImages;
import dev.labelbeam.transforms.manifest.ManifestEntry;
import dev.labelbeam.transforms.manifest.VocabularyFromData;
import dev.labelbeam.transforms.shards.ShardOptions;
import dev.labelbeam.transforms.shards.WriteImageShards;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each {@code withX} of the public transforms takes effect, and each option value checks its input. */
class TransformOptionsTest {

  private static Pipeline pipeline() {
    return Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
  }

  /** Four 200 x 150 JPEGs labelled "a"; no coder is set anywhere (the registrar provides them). */
  private static List<ManifestEntry> images(Path dir) throws Exception {
    Files.createDirectories(dir);
    List<ManifestEntry> out = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Path f = dir.resolve("img" + i + ".jpg");
      Files.write(f, TestImages.jpeg(200, 150));
      out.add(new ManifestEntry("img" + i, f.toString(), List.of("a")));
    }
    return out;
  }

  /** Runs DecodeAndResize with the given options; returns (records, dead-letter reasons). */
  private static Map.Entry<List<ImageRecord>, List<String>> decode(Path tmp, DecodeAndResize.UnknownLabels unknown,
      java.util.function.UnaryOperator<DecodeAndResize> configure) throws Exception {
    Pipeline p = pipeline();
    PCollectionView<LabelVocabulary> vocab =
        p.apply("Vocab", Create.of(new LabelVocabulary(List.of("a")))).apply(View.asSingleton());
    PCollectionTuple out = p.apply(Create.of(images(tmp))).apply(configure.apply(
        DecodeAndResize.with(vocab).withUnknownLabels(unknown)));
    List<ImageRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<String> reasons = new java.util.concurrent.CopyOnWriteArrayList<>();
    Collector.records = records;
    Collector.reasons = reasons;
    out.get(DecodeAndResize.RECORDS).apply("KeepRecords", MapElements.into(TypeDescriptors.voids())
        .via((ImageRecord r) -> {
          Collector.records.add(r);
          return null;
        }));
    out.get(DecodeAndResize.DEAD_LETTERS).apply("KeepReasons", MapElements.into(TypeDescriptors.voids())
        .via((DeadLetter d) -> {
          Collector.reasons.add(d.reason().code());
          return null;
        }));
    p.run().waitUntilFinish();
    return Map.entry(new ArrayList<>(records), new ArrayList<>(reasons));
  }

  /** DirectRunner runs in this JVM: the outputs are collected here. */
  static final class Collector {
    static List<ImageRecord> records;
    static List<String> reasons;
  }

  @Test
  void maxPixelsAndMaxFileBytesDeadLetterWithTheirReasons(@TempDir Path tmp) throws Exception {
    var pixels = decode(tmp.resolve("p"), DecodeAndResize.UnknownLabels.DEAD_LETTER, d -> d.withOptions(ImageOptions.defaults().withMaxPixels(200 * 150 - 1)));
    assertEquals(0, pixels.getKey().size());
    assertEquals(List.of("too_many_pixels", "too_many_pixels", "too_many_pixels", "too_many_pixels"), pixels.getValue());

    var bytes = decode(tmp.resolve("b"), DecodeAndResize.UnknownLabels.DEAD_LETTER, d -> d.withOptions(ImageOptions.defaults().withMaxFileBytes(100)));
    assertEquals(0, bytes.getKey().size());
    assertTrue(bytes.getValue().stream().allMatch("file_too_large"::equals), bytes.getValue().toString());

    var fine = decode(tmp.resolve("f"), DecodeAndResize.UnknownLabels.DEAD_LETTER, d -> d.withOptions(ImageOptions.defaults().withMaxPixels(200 * 150)));
    assertEquals(4, fine.getKey().size());
  }

  @Test
  void jpegQualityAndResizeTakeEffect(@TempDir Path tmp) throws Exception {
    var low = decode(tmp.resolve("l"), DecodeAndResize.UnknownLabels.DEAD_LETTER,
        d -> d.withOptions(ImageOptions.defaults().withShorterSide(64).withJpegQuality(10)));
    var high = decode(tmp.resolve("h"), DecodeAndResize.UnknownLabels.DEAD_LETTER,
        d -> d.withOptions(ImageOptions.defaults().withShorterSide(64).withJpegQuality(100)));
    int lowBytes = low.getKey().stream().mapToInt(r -> r.encoded().length).sum();
    int highBytes = high.getKey().stream().mapToInt(r -> r.encoded().length).sum();
    assertTrue(lowBytes < highBytes * 0.8, lowBytes + " vs " + highBytes);
    for (ImageRecord r : low.getKey()) {
      assertEquals(64, r.height());
      assertEquals(85, r.width()); // 200 x 150 with the shorter side to 64
    }
  }

  @Test
  void optionValuesNameTheOptionTheValueAndWhatIsAllowed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImageOptions.defaults().withJpegQuality(0));
    assertEquals("jpegQuality must be in [1, 100], was 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ShardOptions.defaults().withSplit(0.6, 0.5, ""));
    assertTrue(e.getMessage().contains("below 1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ShardOptions.defaults().withShards("dev", 2));
    assertEquals("split must be one of [train, val, test], was 'dev'", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ShardOptions.defaults().withShardSizeMb(0));
    assertEquals("shardSizeMb must be in [1, 100000], was 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> VocabularyFromData.create().withMinLabelCount(0));
    assertEquals("minLabelCount must be >= 1, was 0", e.getMessage());
  }

  @Test
  void displayDataShowsTheOptionsThatDifferFromTheDefault() {
    DisplayData defaults = DisplayData.from(WriteImageShards.to("/out"));
    assertFalse(keys(defaults).contains("gzip"));
    DisplayData changed = DisplayData.from(WriteImageShards.to("/out")
        .withOptions(ShardOptions.defaults().withGzip(true).withShardSizeMb(50)));
    assertTrue(keys(changed).containsAll(List.of("outputDir", "gzip", "shardSizeMb")), keys(changed).toString());
    DisplayData pre = DisplayData.from(PreprocessImages.fromManifest("m.csv").to("/out")
        .withImageOptions(ImageOptions.defaults().withJpegQuality(75)));
    assertTrue(keys(pre).contains("jpegQuality") && !keys(pre).contains("resize"), keys(pre).toString());
    assertTrue(keys(DisplayData.from(EvaluateMultiLabel.create().withOptions(MetricsOptions.defaults().withBins(64))))
        .contains("bins"));
  }

  private static List<String> keys(DisplayData d) {
    return d.items().stream().map(DisplayData.Item::getKey).collect(Collectors.toList());
  }

  @Test
  void thresholdBinsAndSizedByDataTakeEffect() {
    // 2 classes, 4 examples: class 0 scores 0.3 on its positives, so threshold 0.25 predicts them
    List<ScoredExample> examples = List.of(
        new ScoredExample("a", LabelBits.pack(new int[] {0}, 2), new float[] {0.3f, 0.1f}),
        new ScoredExample("b", LabelBits.pack(new int[] {0, 1}, 2), new float[] {0.3f, 0.9f}),
        new ScoredExample("c", LabelBits.pack(new int[] {}, 2), new float[] {0.2f, 0.2f}),
        new ScoredExample("d", LabelBits.pack(new int[] {1}, 2), new float[] {0.1f, 0.8f}));
    Pipeline p = pipeline();
    PCollection<ScoredExample> in = p.apply(Create.of(examples));
    PCollection<MultiLabelReport> at05 = in.apply("Default", EvaluateMultiLabel.create().withOptions(MetricsOptions.defaults()));
    PCollection<MultiLabelReport> at025 = in.apply("Low", EvaluateMultiLabel.create().withNumClasses(2)
        .withOptions(MetricsOptions.defaults().withThreshold(0.25).withBins(64)));
    PCollection<MultiLabelReport> exact = in.apply("Exact", EvaluateMultiLabel.create()
        .withOptions(MetricsOptions.defaults().withMode(MetricsOptions.Mode.EXACT)));
    PAssert.thatSingleton(at05).satisfies(r -> {
      assertEquals(2, r.numClasses());
      assertEquals(0.5, r.threshold());
      assertEquals(0.0, r.perClass().get(0).recall());
      assertEquals(1024, r.bins().intValue());
      return null;
    });
    PAssert.thatSingleton(at025).satisfies(r -> {
      assertEquals(0.25, r.threshold());
      assertEquals(1.0, r.perClass().get(0).recall());
      assertEquals(64, r.bins().intValue());
      return null;
    });
    PAssert.thatSingleton(exact).satisfies(r -> {
      assertEquals("exact", r.mode());
      assertEquals(2, r.numClasses());
      assertEquals(1.0, r.perClass().get(1).auc(), 1e-12);
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void vocabularyFromDataKeepsFrequentLabelsSorted() {
    Pipeline p = pipeline();
    PCollection<LabelVocabulary> v = p.apply(Create.of(
            new ManifestEntry("1", "x", List.of("zebra", "cat")),
            new ManifestEntry("2", "y", List.of("cat", "dog")),
            new ManifestEntry("3", "z", List.of("cat", "zebra"))))
        .apply(VocabularyFromData.create().withMinLabelCount(2));
    PAssert.thatSingleton(v).isEqualTo(new LabelVocabulary(List.of("cat", "zebra")));
    p.run().waitUntilFinish();
  }

  static <T> List<T> list(Iterable<T> it) {
    return StreamSupport.stream(it.spliterator(), false).collect(Collectors.toList());
  }

  @Test
  void aBugUnderTheDecodeStepFailsTheJobInsteadOfPassingForABadImage(@TempDir Path tmp) throws Exception {
    // once every RuntimeException while opening a file was dead-lettered as unreadable_path
    Pipeline p = pipeline();
    PCollectionView<LabelVocabulary> vocab =
        p.apply("Vocab", Create.of(new LabelVocabulary(List.of("a")))).apply(View.asSingleton());
    p.apply(Create.of(new ManifestEntry("x", "lbbug:///x.jpg", List.of("a"))))
        .apply(DecodeAndResize.with(vocab).withoutReshuffle());
    Exception e = assertThrows(Exception.class, () -> p.run().waitUntilFinish());
    assertTrue(String.valueOf(e.getMessage()).contains("a bug in lbbug://"), e.toString());
    // while an input problem (a scheme no filesystem serves) is still a dead letter
    Pipeline q = pipeline();
    PCollectionView<LabelVocabulary> v2 =
        q.apply("Vocab", Create.of(new LabelVocabulary(List.of("a")))).apply(View.asSingleton());
    PCollectionTuple out = q.apply(Create.of(new ManifestEntry("y", "nosuchscheme:///y.jpg", List.of("a"))))
        .apply(DecodeAndResize.with(v2).withoutReshuffle());
    org.apache.beam.sdk.testing.PAssert.that(out.get(DecodeAndResize.DEAD_LETTERS)
            .apply(MapElements.into(TypeDescriptors.strings()).via((DeadLetter d) -> d.reason().code())))
        .containsInAnyOrder("unreadable_path");
    q.run().waitUntilFinish();
  }
}
