package dev.labelbeam.trainer.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.labelbeam.trainer.model.DiskSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OutputArchive;

/**
 * Training checkpoints in {@code <output>/checkpoints/step-NNNNNNNNN/}: {@code model.pt} (weights and
 * buffers), {@code optimizer.pt} (moments, step counts) and {@code state.json} (where in the data
 * and the schedule the run is). Each is written into a {@code .tmp} folder that is then renamed, so
 * a kill never leaves a half-written checkpoint; the oldest beyond {@code keep} are deleted.
 */
public final class TrainCheckpoint {
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  public static final String FOLDER = "checkpoints";

  private TrainCheckpoint() {}

  /** Where a run is: restored by {@code --resume}. */
  public static final class State {
    /** Steps done in total. */
    public long globalStep;
    /** The epoch in progress (1-based) and the batches of it already done. */
    public int epoch;
    public long batchesDone;
    public long seed;
    public String arch;
    /** Records consumed in total and in the epoch in progress, over all workers. */
    public long samplesDone;
    public long epochSamplesDone;
    /** Workers and per-worker batch size when the checkpoint was written. */
    public int worldSize = 1;
    public int batchSize;
    /** The run's identity: its data's labels, in order, and the SHA-256 of its {@code dataset.json}. */
    public List<String> labels;
    public String datasetSha256;
  }

  /** The state of the latest checkpoint, without loading its weights; null when there is none. */
  public static State latestState(Path outputDir) throws IOException {
    List<Path> all = list(outputDir);
    return all.isEmpty() ? null : MAPPER.readValue(all.get(all.size() - 1).resolve("state.json").toFile(), State.class);
  }

  public static void save(Path outputDir, Module model, Optimizer optimizer, State state, int keep) throws IOException {
    Path root = Files.createDirectories(outputDir.resolve(FOLDER));
    List<Path> previous = list(outputDir);
    // a checkpoint is about the size of the last one (weights and optimizer moments)
    long estimate = previous.isEmpty() ? 0 : DiskSpace.sizeOf(previous.get(previous.size() - 1));
    DiskSpace.require(root, estimate, "a checkpoint");
    String name = String.format("step-%09d", state.globalStep);
    Path tmp = root.resolve(name + ".tmp");
    deleteTree(tmp);
    Files.createDirectories(tmp);
    OutputArchive m = new OutputArchive();
    model.save(m);
    m.save_to(tmp.resolve("model.pt").toString());
    m.close();
    OutputArchive o = new OutputArchive();
    optimizer.save(o);
    o.save_to(tmp.resolve("optimizer.pt").toString());
    o.close();
    Files.writeString(tmp.resolve("state.json"), MAPPER.writeValueAsString(state));
    Path dst = root.resolve(name);
    deleteTree(dst);
    Files.move(tmp, dst, StandardCopyOption.ATOMIC_MOVE);
    List<Path> all = list(outputDir);
    for (int i = 0; i < all.size() - Math.max(1, keep); i++) {
      deleteTree(all.get(i));
    }
  }

  /** Complete checkpoints, oldest first. */
  public static List<Path> list(Path outputDir) throws IOException {
    Path root = outputDir.resolve(FOLDER);
    if (!Files.isDirectory(root)) {
      return new ArrayList<>();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.getFileName().toString().matches("step-\\d{9}") && Files.exists(p.resolve("state.json")))
          .sorted().collect(java.util.stream.Collectors.toList());
    }
  }

  /** Loads the latest checkpoint into the model and optimizer; null when there is none. */
  public static State restoreLatest(Path outputDir, Module model, Optimizer optimizer) throws IOException {
    List<Path> all = list(outputDir);
    if (all.isEmpty()) {
      return null;
    }
    Path dir = all.get(all.size() - 1);
    InputArchive m = new InputArchive();
    m.load_from(dir.resolve("model.pt").toString());
    model.load(m);
    m.close();
    InputArchive o = new InputArchive();
    o.load_from(dir.resolve("optimizer.pt").toString());
    optimizer.load(o);
    o.close();
    return MAPPER.readValue(dir.resolve("state.json").toFile(), State.class);
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(f);
      }
    }
  }
}
