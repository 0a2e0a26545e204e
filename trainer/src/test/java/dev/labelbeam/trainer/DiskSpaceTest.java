package dev.labelbeam.trainer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.trainer.model.DiskSpace;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write that cannot fit is refused before LibTorch starts it (its writer aborts the JVM on a full
 * disk): the message names the folder, the sizes and what to do. (A real full disk is not made here.)
 */
class DiskSpaceTest {
  @Test
  void moreThanTheDiskHoldsIsRefusedWithAMessage(@TempDir Path tmp) throws Exception {
    DiskSpace.require(tmp.resolve("checkpoints/not-yet"), 1, "a checkpoint"); // fits
    IOException e = assertThrows(IOException.class,
        () -> DiskSpace.require(tmp.resolve("checkpoints"), Long.MAX_VALUE / 4, "a checkpoint"));
    assertTrue(e.getMessage().contains("not enough space for a checkpoint in " + tmp.resolve("checkpoints"))
        && e.getMessage().contains("--resume"), e.getMessage());
  }
}
