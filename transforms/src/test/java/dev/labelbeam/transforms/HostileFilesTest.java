package dev.labelbeam.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.images.TestImages;
import dev.labelbeam.transforms.shards.ShardOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paths that are not image files: a symlink to /dev/zero (read whole, it killed the job out of
 * memory), a FIFO (it hung the job), a folder, a missing file, a file over the size limit. Each is
 * dead-lettered with its own reason, and the run finishes.
 */
class HostileFilesTest {

  @Test
  void specialFilesAreRefusedWithoutReadingThem(@TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("i"));
    Files.write(dir.resolve("good.jpg"), TestImages.jpeg(64, 48));
    Files.write(dir.resolve("big.jpg"), TestImages.jpeg(400, 300));
    Files.createSymbolicLink(dir.resolve("zero.jpg"), Path.of("/dev/zero"));
    Files.createDirectories(dir.resolve("folder.jpg"));
    boolean fifo = new ProcessBuilder("mkfifo", dir.resolve("fifo.jpg").toString()).start().waitFor() == 0;
    Path manifest = tmp.resolve("m.csv");
    Files.writeString(manifest, "i/good.jpg,a\ni/big.jpg,a\ni/zero.jpg,a\ni/folder.jpg,a\ni/missing.jpg,a\n"
        + (fifo ? "i/fifo.jpg,a\n" : ""), StandardCharsets.UTF_8);
    long bigBytes = Files.size(dir.resolve("big.jpg"));
    Path out = tmp.resolve("out");
    DatasetInfo info = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> PreprocessInputsTest.runInto(
        PreprocessImages.fromManifest(manifest.toString())
            .withImageOptions(ImageOptions.defaults().withShorterSide(16).withMaxFileBytes(bigBytes - 1))
            .withShardOptions(ShardOptions.defaults().withSplit(0, 0, ""))
            .withMaxBadFraction(1.0), out)); // nearly all inputs are hostile on purpose
    assertEquals(1, info.records("train"));
    assertEquals(Map.of("not_a_regular_file", fifo ? 3L : 2L, "unreadable_path", 1L, "file_too_large", 1L),
        info.deadLetters);
    assertEquals(fifo ? 6 : 5, info.inputRecords);
  }

  /**
   * A manifest line with 20,000 labels and the vocabulary built from the data: one combine counts
   * the labels (linear), where counting per element took 260 s for 5,000 labels and did not finish
   * in 400 s for 20,000.
   */
  @Test
  void aLineWithTwentyThousandLabelsBuildsItsVocabularyQuickly(@TempDir Path tmp) throws Exception {
    Files.write(tmp.resolve("img.jpg"), TestImages.jpeg(64, 48));
    StringBuilder line = new StringBuilder("img.jpg,");
    for (int i = 0; i < 20_000; i++) {
      line.append(i == 0 ? "" : "|").append(String.format("label%05d", i));
    }
    Path manifest = tmp.resolve("m.csv");
    Files.writeString(manifest, line + "\n", StandardCharsets.UTF_8);
    DatasetInfo info = assertTimeoutPreemptively(Duration.ofSeconds(90), () -> PreprocessInputsTest.runInto(
        PreprocessImages.fromManifest(manifest.toString())
            .withImageOptions(ImageOptions.defaults().withShorterSide(16))
            .withShardOptions(ShardOptions.defaults().withSplit(0, 0, "")), tmp.resolve("out")));
    assertEquals(20_000, info.numClasses);
    assertEquals(1, info.records("train"));
    assertEquals(1, info.positiveCounts("train")[19_999]);
  }
}
