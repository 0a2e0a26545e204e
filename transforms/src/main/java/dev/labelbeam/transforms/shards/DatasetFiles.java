package dev.labelbeam.transforms.shards;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.LabelVocabulary;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * Builds {@code dataset.json} from the pipeline's statistics and commits a preprocess run's files
 * into the output folder through Beam's {@link FileSystems} (any filesystem Beam knows).
 */
public final class DatasetFiles {
  /** Every shard file name of any split. */
  private static final Pattern ANY_SHARD = Pattern.compile("[A-Za-z0-9_]+-\\d{5}-of-\\d{5}\\.tfrecord(\\.gz)?");

  private DatasetFiles() {}

  /** What {@link #info} needs besides the statistics. */
  public static final class Settings implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    public List<String> splits = new ArrayList<>();
    public int imageHeight;
    public int imageWidth;
    public String imageFormat = "jpeg";
    public String resize;
    public Map<String, String> options = new TreeMap<>();
  }

  /**
   * Assembles a {@link DatasetInfo}. {@code inputRecords} is counted independently of the outputs,
   * so that a reader can check {@code inputRecords == sum(records) + sum(deadLetters)}.
   */
  public static DatasetInfo info(DatasetStats stats, LabelVocabulary vocab, Settings s,
      Map<String, ? extends Iterable<String>> shardNames, Map<String, Long> deadLetters, long inputRecords) {
    DatasetInfo info = new DatasetInfo();
    info.numClasses = vocab.size();
    info.imageHeight = s.imageHeight;
    info.imageWidth = s.imageWidth;
    info.imageFormat = s.imageFormat;
    info.resize = s.resize;
    for (String split : s.splits) {
      info.records.put(split, stats.records().getOrDefault(split, 0L));
      info.positiveCounts.put(split, stats.positives(split, vocab.size()));
      List<String> names = new ArrayList<>();
      Iterable<String> got = shardNames.get(split);
      if (got != null) {
        got.forEach(names::add);
      }
      Collections.sort(names);
      info.shards.put(split, names);
    }
    info.deadLetters.putAll(new TreeMap<>(deadLetters));
    info.inputRecords = inputRecords;
    info.options.putAll(s.options);
    return info;
  }

  /**
   * Moves a run's files from {@code stagingDir} into {@code outputDir}: first removes the old
   * {@code dataset.json} and every old shard, then moves the new shards and {@code extraFiles} in,
   * then writes {@code labels.txt} and, last, {@code dataset.json}, which lists exactly the new
   * shards. A reader that trusts {@code dataset.json} never sees a mix of runs.
   */
  public static void commit(String outputDir, String stagingDir, DatasetInfo info, LabelVocabulary vocab,
      List<String> extraFiles) throws IOException {
    ResourceId out = FileSystems.matchNewResource(outputDir, true);
    ResourceId staging = FileSystems.matchNewResource(stagingDir, true);
    FileSystems.delete(List.of(out.resolve(DatasetInfo.FILE_NAME, StandardResolveOptions.RESOLVE_FILE)),
        MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    List<ResourceId> old = new ArrayList<>();
    MatchResult existing = FileSystems.match(out.resolve("*.tfrecord*", StandardResolveOptions.RESOLVE_FILE).toString(),
        EmptyMatchTreatment.ALLOW);
    for (MatchResult.Metadata m : existing.metadata()) {
      if (ANY_SHARD.matcher(m.resourceId().getFilename()).matches()) {
        old.add(m.resourceId());
      }
    }
    FileSystems.delete(old, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    List<ResourceId> from = new ArrayList<>();
    List<ResourceId> to = new ArrayList<>();
    for (List<String> names : info.shards.values()) {
      for (String n : names) {
        from.add(staging.resolve(n, StandardResolveOptions.RESOLVE_FILE));
        to.add(out.resolve(n, StandardResolveOptions.RESOLVE_FILE));
      }
    }
    for (String n : extraFiles) {
      from.add(staging.resolve(n, StandardResolveOptions.RESOLVE_FILE));
      to.add(out.resolve(n, StandardResolveOptions.RESOLVE_FILE));
    }
    FileSystems.rename(from, to);
    writeText(outputDir, LabelVocabulary.FILE_NAME, vocab.toText());
    writeText(outputDir, DatasetInfo.FILE_NAME, info.toJson());
    deleteFolder(stagingDir);
  }

  /** Removes what is left of a staging folder (Beam's temp folders, the folder itself). */
  public static void deleteFolder(String dir) {
    try {
      ResourceId d = FileSystems.matchNewResource(dir, true);
      MatchResult rest = FileSystems.match(d.resolve("**", StandardResolveOptions.RESOLVE_FILE).toString(), EmptyMatchTreatment.ALLOW);
      List<ResourceId> files = new ArrayList<>();
      rest.metadata().forEach(m -> files.add(m.resourceId()));
      FileSystems.delete(files, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      if ("file".equals(d.getScheme())) {
        // local folders exist on their own; object stores have none to delete
        java.nio.file.Path p = java.nio.file.Path.of(d.toString());
        if (java.nio.file.Files.isDirectory(p)) {
          try (var walk = java.nio.file.Files.walk(p)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
          }
        }
      }
    } catch (IOException e) {
      // leftovers of a staging folder are harmless: a later run ignores them
    }
  }

  /** Writes UTF-8 text to {@code dir/name}, replacing what is there. */
  public static void writeText(String dir, String name, String text) throws IOException {
    ResourceId file = FileSystems.matchNewResource(dir, true).resolve(name, StandardResolveOptions.RESOLVE_FILE);
    try (OutputStream o = Channels.newOutputStream(FileSystems.create(file, "text/plain"))) {
      o.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }
}
