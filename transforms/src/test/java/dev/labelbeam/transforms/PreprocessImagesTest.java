package dev.labelbeam.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.LabelBits;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.shard.ShardFiles;
import dev.labelbeam.shard.TfRecordReader;
import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.shards.ShardOptions;
import dev.labelbeam.transforms.shards.SplitAssigner;
import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The preprocess stage end to end on DirectRunner, with good and bad inputs. */
public class PreprocessImagesTest {

  public static final int GOOD = 60; // with 5 bad inputs: under the default 10% refusal threshold

  /** Writes the synthetic images plus one of each kind of bad input; returns the manifest. */
  public static Path datasetWithBadInputs(Path dir) throws Exception {
    Path manifest = SyntheticShapes.generate(dir, GOOD, 96, 7);
    SyntheticShapes.appendBadInputs(dir);
    return manifest;
  }

  @Test
  void writesShardsSideFilesAndDeadLettersThatAddUp(@TempDir Path tmp) throws Exception {
    Path manifest = datasetWithBadInputs(tmp.resolve("data"));
    Path out = tmp.resolve("shards");
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    p.apply(PreprocessImages.fromManifest(manifest.toString())
        .to(out.toString())
        .withImageOptions(ImageOptions.defaults().withShorterSide(48))
        .withShardOptions(ShardOptions.defaults().withSplit(0.25, 0.0, "s").withShards("train", 3).withShards("val", 2)));
    p.run().waitUntilFinish();

    DatasetInfo info = DatasetInfo.read(out.resolve(DatasetInfo.FILE_NAME));
    LabelVocabulary vocab = LabelVocabulary.read(out.resolve(LabelVocabulary.FILE_NAME));
    assertEquals(SyntheticShapes.labels(), vocab.names());
    assertEquals(12, info.numClasses);

    // every input record is either written or dead-lettered
    long written = info.records("train") + info.records("val");
    long dead = info.deadLetters.values().stream().mapToLong(Long::longValue).sum();
    assertEquals(GOOD + 5, info.inputRecords);
    assertEquals(GOOD, written);
    assertEquals(5, dead);
    assertEquals(Map.of("decode_failed", 1L, "truncated", 1L, "empty_file", 1L, "unreadable_path", 1L, "bad_manifest_line", 1L),
        info.deadLetters);
    List<String> deadLines = Files.readAllLines(out.resolve(PreprocessImages.DEAD_LETTER_FILE));
    assertEquals(5, deadLines.size());
    ObjectMapper json = new ObjectMapper();
    for (String line : deadLines) {
      JsonNode n = json.readTree(line);
      assertTrue(n.get("message").asText().length() > 0, line);
    }
    assertTrue(deadLines.stream().anyMatch(l -> l.contains("images/missing.jpg") && l.contains("unreadable_path")));

    // shards: names per the contract, records parse, split by id hash, positive counts match
    SplitAssigner assigner = new SplitAssigner(0.25, 0.0, "s");
    Map<String, long[]> positives = new HashMap<>();
    int seen = 0;
    for (String split : List.of("train", "val")) {
      List<Path> files = ShardFiles.list(out, split);
      assertEquals(split.equals("train") ? 3 : 2, files.size());
      assertEquals(info.shards.get(split), files.stream().map(f -> f.getFileName().toString()).toList());
      long[] pos = new long[12];
      for (Path f : files) {
        assertTrue(f.getFileName().toString().matches(split + "-" + info.generation + "-0000\\d-of-0000\\d\\.tfrecord"),
            f.toString());
        try (TfRecordReader r = TfRecordReader.open(f)) {
          for (byte[] data = r.next(); data != null; data = r.next()) {
            ImageRecord rec = ImageRecord.parse(data);
            assertEquals(split, assigner.assign(rec.id()));
            assertEquals(48, Math.min(rec.height(), rec.width()));
            assertTrue(rec.labelCount() >= 1 && rec.labelCount() <= 3);
            for (int c : LabelBits.unpack(rec.labelBits(), 12)) {
              pos[c]++;
            }
            seen++;
          }
        }
      }
      positives.put(split, pos);
      assertTrue(Arrays.equals(pos, info.positiveCounts(split)), split);
    }
    assertEquals(GOOD, seen);
  }
}
