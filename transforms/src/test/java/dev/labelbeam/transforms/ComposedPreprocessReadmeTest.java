package dev.labelbeam.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.images.DecodeAndResize;
import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.manifest.DeduplicateIds;
import dev.labelbeam.transforms.manifest.ManifestEntry;
import dev.labelbeam.transforms.manifest.ReadManifest;
import dev.labelbeam.transforms.manifest.VocabularyFromData;
import dev.labelbeam.transforms.shards.DatasetCheck;
import dev.labelbeam.transforms.shards.ShardOptions;
import dev.labelbeam.transforms.shards.WriteImageShards;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "compose the parts" code, run as it is written there (the test first checks that the
 * README holds exactly the lines between the markers below), must give a dataset that
 * {@code labelbeam check} accepts, with every coder found by default (no {@code setCoder}).
 */
class ComposedPreprocessReadmeTest {

  @Test
  void theReadmeCompositionWritesADatasetThatCheckAccepts(@TempDir Path tmp) throws Exception {
    Path manifestFile = PreprocessImagesTest.datasetWithBadInputs(tmp.resolve("data"));
    String manifest = manifestFile.toString();
    String out = tmp.resolve("shards").toString();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());

    // README:compose-begin
    PCollectionTuple read = p.apply("Read", ReadManifest.from(manifest));
    PCollectionTuple unique = read.get(ReadManifest.ENTRIES).apply("Dedup", DeduplicateIds.create());
    PCollection<ManifestEntry> entries = unique.get(DeduplicateIds.UNIQUE);
    PCollectionView<LabelVocabulary> vocabulary = entries
        .apply("Vocabulary", VocabularyFromData.create())   // or Create.of(LabelVocabulary.read(path))
        .apply(View.asSingleton());
    PCollectionTuple decoded = entries.apply("Decode", DecodeAndResize.with(vocabulary)
        .withOptions(ImageOptions.defaults().withShorterSide(64))
        .withUnknownLabels(DecodeAndResize.UnknownLabels.DROP)); // the vocabulary came from the data
    PCollection<DeadLetter> deadLetters = PCollectionList.of(read.get(ReadManifest.DEAD_LETTERS))
        .and(unique.get(DeduplicateIds.DEAD_LETTERS))
        .and(decoded.get(DecodeAndResize.DEAD_LETTERS))
        .apply(Flatten.pCollections());
    WriteImageShards.Result written = decoded.get(DecodeAndResize.RECORDS).apply("Write", WriteImageShards.to(out)
        .withVocabulary(vocabulary)
        .withOptions(ShardOptions.defaults().withSplit(0.25, 0.0, "seed"))
        .withDeadLetters(deadLetters));
    p.run().waitUntilFinish();   // out/ now holds the shards, labels.txt, dead_letter.jsonl, dataset.json
    // README:compose-end

    assertReadmeHoldsTheComposition();
    DatasetCheck check = DatasetCheck.of(Path.of(out));
    assertEquals(List.of(), check.problems(), check.summary());
    DatasetInfo info = check.info();
    assertTrue(info.records("train") > 0 && info.records("val") > 0, info.toJson());
    assertEquals(info.inputRecords, check.written() + check.deadLettered());
    assertTrue(check.deadLettered() > 0, "the bad inputs are dead-lettered");
    try (var files = Files.list(Path.of(out))) {
      assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(".staging")), "no staging folder is left");
    }
  }

  @Test
  void theResultOfTheCompositeExposesRecordsDeadLettersAndTheDataset(@TempDir Path tmp) throws Exception {
    Path manifest = PreprocessImagesTest.datasetWithBadInputs(tmp.resolve("data"));
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    PreprocessImages.Result r = p.apply(PreprocessImages.fromManifest(manifest.toString()).to(tmp.resolve("o").toString())
        .withImageOptions(ImageOptions.defaults().withShorterSide(32)));
    PCollection<Long> records = r.records().apply("CountRecords", Count.globally());
    PCollection<Long> dead = r.deadLetters().apply("CountDead", Count.globally());
    PAssert.thatSingleton(r.datasetInfo().apply("Inputs",
            org.apache.beam.sdk.transforms.MapElements.into(org.apache.beam.sdk.values.TypeDescriptors.longs())
                .via((DatasetInfo i) -> i.inputRecords)))
        .satisfies(n -> {
          assertTrue(n > 0);
          return null;
        });
    PAssert.thatSingleton(records).satisfies(n -> {
      assertTrue(n > 0);
      return null;
    });
    PAssert.thatSingleton(dead).satisfies(n -> {
      assertTrue(n > 0);
      return null;
    });
    p.run().waitUntilFinish();
    DatasetInfo info = DatasetInfo.read(tmp.resolve("o").resolve(DatasetInfo.FILE_NAME));
    long written = info.records.values().stream().mapToLong(Long::longValue).sum();
    long deadTotal = info.deadLetters.values().stream().mapToLong(Long::longValue).sum();
    assertEquals(info.inputRecords, written + deadTotal);
  }

  private static void assertReadmeHoldsTheComposition() throws Exception {
    Path self = Path.of("src/test/java/dev/labelbeam/transforms/ComposedPreprocessReadmeTest.java");
    List<String> lines = Files.readAllLines(self);
    int from = lines.indexOf("    // README:compose-begin");
    int to = lines.indexOf("    // README:compose-end");
    String code = lines.subList(from + 1, to).stream().map(l -> l.length() >= 4 ? l.substring(4) : l.strip())
        .collect(Collectors.joining("\n"));
    String readme = Files.readString(Path.of("../README.md"));
    assertTrue(readme.contains(code), "README.md must hold the composition exactly as this test runs it:\n" + code);
  }
}
