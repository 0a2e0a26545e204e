package dev.labelbeam.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.shards.ShardOptions;
import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's mistakes in the inputs end in a clear failure or are understood, never in a wrong
 * dataset with exit code 0: a CSV manifest with its columns swapped once wrote 0 records and made a
 * class of every image path; a header other than exactly path,labels became a phantom class; a
 * labels.txt with a BOM and CRLF dead-lettered images and copied the BOM into the output.
 */
class ManifestMistakesTest {

  private static List<String> lines(Path manifest) throws Exception {
    return Files.readAllLines(manifest).subList(1, 21); // 20 images, without the generator's header
  }

  private static DatasetInfo run(PreprocessImages t, Path out) throws Exception {
    return PreprocessInputsTest.runInto(t.withImageOptions(ImageOptions.defaults().withShorterSide(16))
        .withShardOptions(ShardOptions.defaults().withSplit(0, 0, "")), out);
  }

  @Test
  void swappedColumnsWithoutAHeaderStopTheRun(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    Path generated = SyntheticShapes.generate(data, 20, 32, 1);
    List<String> swapped = new ArrayList<>();
    for (String l : lines(generated)) {
      String[] f = l.split(",");
      swapped.add(f[1] + "," + f[0]);
    }
    Path manifest = data.resolve("swapped.csv");
    Files.write(manifest, swapped);
    Exception e = assertThrows(Exception.class, () -> run(PreprocessImages.fromManifest(manifest.toString()),
        tmp.resolve("out")));
    assertTrue(String.valueOf(e.getMessage()).contains("the columns look swapped"), e.toString());
    assertFalse(Files.exists(tmp.resolve("out").resolve(DatasetInfo.FILE_NAME)));
  }

  @Test
  void headersOfOtherNamesAndOrderAreUnderstood(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    Path generated = SyntheticShapes.generate(data, 20, 32, 2);
    List<String> labelsFirst = new ArrayList<>(List.of("\uFEFFTags,Image\r"));
    for (String l : lines(generated)) {
      String[] f = l.split(",");
      labelsFirst.add(f[1] + "," + f[0] + "\r");
    }
    Path manifest = data.resolve("tags.csv");
    Files.write(manifest, labelsFirst, StandardCharsets.UTF_8);
    DatasetInfo info = run(PreprocessImages.fromManifest(manifest.toString()), tmp.resolve("out"));
    assertEquals(20, info.records("train"));
    assertEquals(Map.of(), info.deadLetters);
    List<String> names = LabelVocabulary.read(tmp.resolve("out").resolve(LabelVocabulary.FILE_NAME)).names();
    assertTrue(SyntheticShapes.labels().containsAll(names), "no phantom class from the header: " + names);
  }

  @Test
  void aLabelsFileWithBomAndCrlfIsReadAsItsLabels(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    Path manifest = SyntheticShapes.generate(data, 20, 32, 3);
    Path labels = tmp.resolve("labels.txt");
    Files.writeString(labels, "\uFEFF" + String.join("\r\n", SyntheticShapes.labels()) + "\r\n", StandardCharsets.UTF_8);
    LabelVocabulary vocab = LabelVocabulary.read(labels);
    assertEquals(SyntheticShapes.labels(), vocab.names());
    DatasetInfo info = run(PreprocessImages.fromManifest(manifest.toString()).withVocabulary(vocab), tmp.resolve("out"));
    assertEquals(20, info.records("train"));
    assertEquals(Map.of(), info.deadLetters);
    String written = Files.readString(tmp.resolve("out").resolve(LabelVocabulary.FILE_NAME));
    assertFalse(written.contains("\uFEFF") || written.contains("\r"), "labels.txt written clean");
  }

  @Test
  void aRunThatWritesNoRecordFails(@TempDir Path tmp) throws Exception {
    Path manifest = tmp.resolve("m.csv");
    Files.writeString(manifest, "missing-1.jpg,cat\nmissing-2.jpg,dog\n");
    Exception e = assertThrows(Exception.class, () -> run(
        PreprocessImages.fromManifest(manifest.toString()).withMaxBadFraction(1.0), tmp.resolve("out")));
    assertTrue(String.valueOf(e.getMessage()).contains("no record was written"), e.toString());
    assertFalse(Files.exists(tmp.resolve("out").resolve(DatasetInfo.FILE_NAME)));
  }

  @Test
  void aManifestThatMatchesNoFileSaysSo(@TempDir Path tmp) {
    Exception e = assertThrows(Exception.class, () -> run(
        PreprocessImages.fromManifest(tmp.resolve("nothing-*.csv").toString()), tmp.resolve("out")));
    assertTrue(String.valueOf(e.getMessage()).contains("matches no file") && e.getMessage().contains("quoted"),
        e.toString());
  }
}
