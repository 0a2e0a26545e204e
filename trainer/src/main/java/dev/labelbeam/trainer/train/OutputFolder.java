package dev.labelbeam.trainer.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A training run's output folder: one run per folder. A folder that holds an earlier run (its
 * {@code model.pt} or a checkpoint) is refused unless the run resumes it ({@code --resume}) or
 * replaces it ({@code --overwrite}, which deletes that run's files first). Without this, a new run
 * into a used folder kept the old checkpoints, and a later {@code --resume} continued the old run.
 */
public final class OutputFolder {
  /** The files of a run, besides {@code checkpoints/}. */
  private static final List<String> RUN_FILES =
      List.of("model.pt", "model.json", "model.safetensors", "train_log.jsonl");

  private OutputFolder() {}

  /** Whether {@code dir} holds a run: a model or at least one checkpoint. */
  public static boolean holdsARun(Path dir) throws IOException {
    if (Files.exists(dir.resolve("model.pt"))) {
      return true;
    }
    Path checkpoints = dir.resolve("checkpoints");
    if (!Files.isDirectory(checkpoints)) {
      return false;
    }
    try (Stream<Path> s = Files.list(checkpoints)) {
      return s.anyMatch(p -> p.getFileName().toString().startsWith("step-"));
    }
  }

  /**
   * Makes {@code dir} ready for a run: with {@code resume} as it is; else refused when it holds a run,
   * unless {@code overwrite}, which deletes the earlier run's model, checkpoints and log.
   *
   * @throws IllegalArgumentException naming the folder and the two ways forward
   */
  public static void claim(Path dir, boolean resume, boolean overwrite) throws IOException {
    dev.labelbeam.shard.Folders.create(dir);
    if (resume || !holdsARun(dir)) {
      return;
    }
    if (!overwrite) {
      throw new IllegalArgumentException(dir + " holds an earlier training run (model.pt or checkpoints/): pass "
          + "--resume to continue it, --overwrite to replace it, or choose another --output");
    }
    for (String f : RUN_FILES) {
      Files.deleteIfExists(dir.resolve(f));
    }
    for (String folder : List.of("checkpoints", dev.labelbeam.trainer.log.TensorBoardLog.FOLDER)) {
      Path sub = dir.resolve(folder);
      if (Files.exists(sub)) {
        try (Stream<Path> walk = Files.walk(sub)) {
          for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
            Files.delete(p);
          }
        }
      }
    }
  }
}
