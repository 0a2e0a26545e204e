package dev.labelbeam.trainer.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Checks free space before LibTorch writes: its archive writer aborts the whole JVM (exit 134, a C++
 * {@code terminate}) when a write fails, so a full disk during a checkpoint must be found before it
 * starts, with an error that names the folder and what to do.
 */
public final class DiskSpace {
  /** Room left over besides the estimate: filesystems misreport a little, and logs grow too. */
  static final long MARGIN = 16L << 20;

  private DiskSpace() {}

  /** Fails unless {@code dir}'s filesystem has {@code bytes} (plus a margin) free for {@code what}. */
  public static void require(Path dir, long bytes, String what) throws IOException {
    Path existing = dir;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return;
    }
    long free = Files.getFileStore(existing).getUsableSpace();
    if (free < bytes + MARGIN) {
      throw new IOException(String.format(java.util.Locale.ROOT, "not enough space for %s in %s: about %.1f MB "
          + "needed, %.1f MB free. Free some space (or keep fewer checkpoints, --keep-checkpoints) and rerun; "
          + "with --resume the run continues from its last checkpoint", what, dir, (bytes + MARGIN) / 1e6, free / 1e6));
    }
  }

  /** The bytes of the files under {@code dir} (0 when it does not exist): the size of the last checkpoint. */
  public static long sizeOf(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
