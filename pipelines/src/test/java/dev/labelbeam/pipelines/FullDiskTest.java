package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preprocess into a filesystem that fills up midway (a 2 MB tmpfs, mounted for the test; skipped where
 * mounting is not allowed): the command fails in one line that says the disk is full and what to do,
 * its staged files are removed (they would keep the disk full), and the dataset already in the folder
 * stays as it was, `check` passing.
 */
class FullDiskTest {
  @Test
  void aFullDiskFailsInOneLineAndKeepsTheEarlierDataset(@TempDir Path tmp) throws Exception {
    Path fs = Files.createDirectories(tmp.resolve("fs"));
    assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", fs.toString()), "mounting a tmpfs is not allowed here");
    try {
      Path small = SyntheticShapes.generate(tmp.resolve("small"), 60, 64, 1);
      Path big = SyntheticShapes.generate(tmp.resolve("big"), 2500, 96, 2);
      Path out = fs.resolve("shards");
      assertEquals(0, TestCli.run("preprocess", "--manifest", small.toString(), "--output", out.toString(),
          "--resize", "shorter:32"));
      byte[] before = Files.readAllBytes(out.resolve(DatasetInfo.FILE_NAME));

      StringWriter err = new StringWriter();
      int code = TestCli.run(err, "preprocess", "--manifest", big.toString(), "--output", out.toString(),
          "--resize", "shorter:96", "--jpeg-quality", "100");
      assertEquals(1, code, err.toString());
      assertTrue(err.toString().contains("filesystem is full") && err.toString().contains("Free space"), err.toString());
      assertEquals(1, err.toString().strip().lines().count(), "one line, no stack trace: " + err);
      try (var files = Files.list(out)) {
        assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith(".staging-")), "staged files removed");
      }
      assertArrayEquals(before, Files.readAllBytes(out.resolve(DatasetInfo.FILE_NAME)), "the earlier dataset is kept");
      assertEquals(0, TestCli.run("check", "--dataset", out.toString()));
    } finally {
      run("umount", fs.toString());
    }
  }

  private static boolean run(String... command) throws Exception {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (java.io.IOException e) {
      return false; // no such command
    }
  }
}
