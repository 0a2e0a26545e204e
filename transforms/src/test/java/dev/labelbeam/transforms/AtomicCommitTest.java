package dev.labelbeam.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.ShardFiles;
import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.shards.DatasetCheck;
import dev.labelbeam.transforms.shards.ShardOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dataset.json is the single commit point: new shards arrive under names of their own generation, so
 * a run killed before writing dataset.json leaves the old dataset whole (once, a kill between deleting the
 * old dataset.json and moving the new shards in left none); of two runs into one folder, the second to
 * commit fails (once, both exited 0 and the loser believed it had succeeded).
 */
class AtomicCommitTest {
  private static final ImageOptions SIDE16 = ImageOptions.defaults().withShorterSide(16);

  private static PreprocessImages preprocess(Path manifest, Path out, String seed) {
    return PreprocessImages.fromManifest(manifest.toString()).withImageOptions(SIDE16)
        .withShardOptions(ShardOptions.defaults().withSplit(0.25, 0, seed).withShards("train", 2).withShards("val", 1))
        .to(out.toString());
  }

  @Test
  void ofTwoRunsIntoOneFolderTheSecondToCommitFails(@TempDir Path tmp) throws Exception {
    Path m = PreprocessInputsTest.csvDataset(tmp, 24, 5);
    Path out = tmp.resolve("out");
    // both pipelines are built before either runs, as two jobs started at the same time would be
    Pipeline first = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    first.apply(preprocess(m, out, "a"));
    Pipeline second = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    second.apply(preprocess(m, out, "b"));
    first.run().waitUntilFinish();
    DatasetInfo committed = DatasetInfo.read(out.resolve(DatasetInfo.FILE_NAME));
    Exception e = assertThrows(Exception.class, () -> second.run().waitUntilFinish());
    assertTrue(String.valueOf(e.getMessage()).contains("another preprocess run committed"), e.toString());
    assertEquals(committed, DatasetInfo.read(out.resolve(DatasetInfo.FILE_NAME)), "the first run's dataset stays");
    assertEquals(List.of(), DatasetCheck.of(out).problems());
    PreprocessInputsTest.assertNoStaging(out);
  }

  @Test
  void aRunKilledBeforeItsCommitLeavesTheOldDatasetAndTheNextRunCleansUp(@TempDir Path tmp) throws Exception {
    Path m = PreprocessInputsTest.csvDataset(tmp, 24, 6);
    Path out = tmp.resolve("out");
    PreprocessInputsTest.run(preprocess(m, out, "a"));
    DatasetInfo old = DatasetInfo.read(out.resolve(DatasetInfo.FILE_NAME));
    // what a run killed after moving its shards in, before writing dataset.json, leaves: shards of a new
    // generation beside the old ones, and a staging folder a day old
    String killed = ShardFiles.newGeneration();
    for (String name : old.shards.get("train")) {
      Files.copy(out.resolve(name), out.resolve(name.replace(old.generation, killed)));
    }
    Path abandoned = Files.createDirectories(out.resolve(".staging-" + killed));
    Files.writeString(abandoned.resolve("train-part"), "half-written");
    Files.setLastModifiedTime(abandoned.resolve("train-part"),
        FileTime.fromMillis(System.currentTimeMillis() - 25L * 3600 * 1000));

    // the old dataset is whole: every shard it lists is there and unchanged (check names the strays)
    List<String> problems = DatasetCheck.of(out).problems();
    assertEquals(1, problems.stream().filter(p -> p.contains("interrupted run")).count(), problems.toString());
    assertEquals(problems.size(), 1, problems.toString());

    PreprocessInputsTest.run(preprocess(m, out, "a"));
    DatasetInfo now = DatasetInfo.read(out.resolve(DatasetInfo.FILE_NAME));
    assertFalse(now.generation.equals(old.generation));
    assertEquals(List.of(), DatasetCheck.of(out).problems(), "strays of other generations were removed");
    assertFalse(Files.exists(abandoned), "a staging folder a day old is removed");
  }
}
