package dev.labelbeam.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.transforms.images.DecodeAndResize;
import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.shards.ShardOptions;
import dev.labelbeam.transforms.shards.WriteImageShards;
import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollectionView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Beam's style: {@code withX} calls are unordered keyword arguments, and {@code withBar} never reads
 * foo. Each public transform applies every one of its {@code withX} calls forwards and backwards and
 * gets the same transform, display data and output. Once {@code WriteImageShards.withGzip(true)
 * .withOptions(d)} silently dropped gzip, and {@code withRecordedOptions} froze what dataset.json
 * recorded before a later {@code withOptions}.
 */
class WithCallsInAnyOrderTest {

  private static <T> T applyAll(T start, List<UnaryOperator<T>> calls) {
    T t = start;
    for (UnaryOperator<T> c : calls) {
      t = c.apply(t);
    }
    return t;
  }

  private static <T extends org.apache.beam.sdk.transforms.PTransform<?, ?>> void sameEitherWay(T start,
      List<UnaryOperator<T>> calls) {
    List<UnaryOperator<T>> backwards = new ArrayList<>(calls);
    Collections.reverse(backwards);
    T a = applyAll(start, calls);
    T b = applyAll(start, backwards);
    assertEquals(items(DisplayData.from(a)), items(DisplayData.from(b)), "the same options whatever the order");
    assertTrue(items(DisplayData.from(a)).size() > items(DisplayData.from(start)).size(),
        "every changed option shows in the display data: " + items(DisplayData.from(a)));
  }

  private static Map<String, String> items(DisplayData d) {
    Map<String, String> m = new TreeMap<>();
    d.items().forEach(i -> m.put(i.getNamespace().getSimpleName() + "." + i.getKey(), String.valueOf(i.getValue())));
    return m;
  }

  @Test
  void writeImageShards() {
    Pipeline p = Pipeline.create();
    PCollectionView<LabelVocabulary> vocab = p.apply(Create.of(new LabelVocabulary(List.of("a"))))
        .apply(View.asSingleton());
    sameEitherWay(WriteImageShards.to("/out"), List.of(
        w -> w.withOptions(ShardOptions.defaults().withGzip(true).withSplit(0.2, 0.1, "s").withShardSizeMb(10)),
        w -> w.withImageOptions(ImageOptions.defaults().withShorterSide(64)),
        w -> w.withVocabulary(vocab),
        w -> w.withMaxBadFraction(0.5),
        w -> w.withRecordedOptions(Map.of("manifest", "m.csv"))));
  }

  @Test
  void decodeAndResize() {
    Pipeline p = Pipeline.create();
    PCollectionView<LabelVocabulary> vocab = p.apply(Create.of(new LabelVocabulary(List.of("a"))))
        .apply(View.asSingleton());
    sameEitherWay(DecodeAndResize.with(vocab), List.of(
        d -> d.withOptions(ImageOptions.defaults().withShorterSide(64).withJpegQuality(80)),
        d -> d.withUnknownLabels(DecodeAndResize.UnknownLabels.FAIL),
        DecodeAndResize::withoutReshuffle));
  }

  private static List<UnaryOperator<PreprocessImages>> preprocessCalls(Path out) {
    return List.of(
        t -> t.to(out.toString()),
        t -> t.withImageOptions(ImageOptions.defaults().withShorterSide(16).withJpegQuality(80)),
        t -> t.withShardOptions(ShardOptions.defaults().withSplit(0.25, 0, "x").withShards("train", 2)),
        t -> t.withMaxBadFraction(0.5),
        t -> t.withMinLabelCount(2),
        PreprocessImages::withoutReshuffle);
  }

  @Test
  void preprocessImagesGivesTheSameDatasetEitherWay(@TempDir Path tmp) throws Exception {
    Path manifest = SyntheticShapes.generate(tmp.resolve("data"), 30, 32, 2);
    sameEitherWay(PreprocessImages.fromManifest(manifest.toString()), preprocessCalls(tmp.resolve("x")));
    List<DatasetInfo> infos = new ArrayList<>();
    for (boolean reversed : new boolean[] {false, true}) {
      Path out = tmp.resolve("out-" + reversed);
      List<UnaryOperator<PreprocessImages>> calls = new ArrayList<>(preprocessCalls(out));
      if (reversed) {
        Collections.reverse(calls);
      }
      Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
      p.apply(applyAll(PreprocessImages.fromManifest(manifest.toString()), calls));
      p.run().waitUntilFinish();
      infos.add(DatasetInfo.read(out.resolve(DatasetInfo.FILE_NAME)));
    }
    DatasetInfo a = infos.get(0);
    DatasetInfo b = infos.get(1);
    assertEquals(a.records, b.records);
    assertEquals(a.options, b.options);
    assertEquals("80", a.options.get("jpegQuality"));
    assertEquals(2, a.shards.get("train").size());
    for (String split : a.records.keySet()) {
      assertTrue(java.util.Arrays.equals(a.positiveCounts(split), b.positiveCounts(split)), split);
    }
  }

  @Test
  void buildingTheGraphReadsNothingOfTheOutputFolder(@TempDir Path tmp) throws Exception {
    // an output folder the client cannot read (as a bucket it has no access to): once, building the
    // graph read its dataset.json and failed there
    Path out = tmp.resolve("out");
    java.nio.file.Files.createDirectories(out.resolve(DatasetInfo.FILE_NAME)); // unreadable as a file
    Pipeline p = Pipeline.create();
    PCollectionView<LabelVocabulary> vocab = p.apply(Create.of(new LabelVocabulary(List.of("a"))))
        .apply(View.asSingleton());
    p.apply(Create.empty(dev.labelbeam.transforms.shards.ImageRecordCoder.of()))
        .apply(WriteImageShards.to(out.toString()).withVocabulary(vocab));
    List<String> steps = new ArrayList<>();
    p.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public CompositeBehavior enterCompositeTransform(org.apache.beam.sdk.runners.TransformHierarchy.Node node) {
        steps.add(node.getFullName());
        return CompositeBehavior.ENTER_TRANSFORM;
      }
    });
    assertTrue(steps.stream().anyMatch(n -> n.endsWith("/CommitDataset")), "the graph was built: " + steps);
  }

  @Test
  void everyPublicTransformDescribesItselfInDisplayData() throws Exception {
    Path classes = Path.of(PreprocessImages.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> missing = new ArrayList<>();
    int checked = 0;
    try (var walk = java.nio.file.Files.walk(classes)) {
      for (Path f : (Iterable<Path>) walk.filter(f -> f.toString().endsWith(".class"))::iterator) {
        String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
        Class<?> c = Class.forName(name, false, getClass().getClassLoader());
        if (!java.lang.reflect.Modifier.isPublic(c.getModifiers())
            || !org.apache.beam.sdk.transforms.PTransform.class.isAssignableFrom(c)) {
          continue;
        }
        checked++;
        try {
          c.getDeclaredMethod("populateDisplayData", DisplayData.Builder.class);
        } catch (NoSuchMethodException e) {
          missing.add(c.getSimpleName());
        }
      }
    }
    assertTrue(checked >= 10, checked + " public transforms found");
    assertEquals(List.of(), missing, "public transforms without display data");
  }
}
