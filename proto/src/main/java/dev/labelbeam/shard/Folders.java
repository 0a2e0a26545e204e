package dev.labelbeam.shard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Local output folders, made as every command makes its {@code --output}. */
public final class Folders {
  private Folders() {}

  /**
   * Creates {@code dir} and its parents when missing. A path that names a file (a typo, the manifest
   * given as the output) is refused with a message that says so, where {@code createDirectories} would
   * say only the path.
   *
   * @throws IllegalArgumentException when {@code dir} or one of its parents is a file
   */
  public static Path create(Path dir) throws IOException {
    for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p) && !Files.isDirectory(p)) {
        throw new IllegalArgumentException("--output " + dir + (p.equals(dir.toAbsolutePath()) ? " is a file"
            : " lies under " + p + ", which is a file") + ", not a folder: give the folder to write into (it is "
            + "created when missing)");
      }
    }
    return Files.createDirectories(dir);
  }
}
