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
import java.util.Locale;
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
  private static final Pattern ANY_SHARD = dev.labelbeam.shard.ShardFiles.anyShard();

  private DatasetFiles() {}

  /** Name of the dead-letter file in the output folder. */
  public static final String DEAD_LETTER_FILE = "dead_letter.jsonl";

  /**
   * What {@link #info} records besides the statistics.
   *
   * @param splits the splits written, in order
   * @param imageHeight target height (or shorter side) of the resized images, in pixels
   * @param imageWidth target width (or shorter side), in pixels
   * @param imageFormat jpeg, png or raw
   * @param resize the resize spec as text ({@code shorter:256})
   * @param options the options of the run, by name, as {@code dataset.json} records them
   */
  public record Layout(List<String> splits, int imageHeight, int imageWidth, String imageFormat, String resize,
      Map<String, String> options) implements java.io.Serializable {
    /** Copies the lists so that the value stays immutable. */
    public Layout {
      splits = List.copyOf(splits);
      options = java.util.Collections.unmodifiableMap(new TreeMap<>(options));
    }
  }

  /**
   * Assembles a {@link DatasetInfo}. {@code inputRecords} is counted independently of the outputs,
   * so that a reader can check {@code inputRecords == sum(records) + sum(deadLetters)}.
   */
  public static DatasetInfo info(DatasetStats stats, LabelVocabulary vocab, Layout s,
      Map<String, ? extends Iterable<String>> shardNames, Map<String, Long> deadLetters, long inputRecords) {
    DatasetInfo info = new DatasetInfo();
    info.numClasses = vocab.size();
    info.imageHeight = s.imageHeight();
    info.imageWidth = s.imageWidth();
    info.imageFormat = s.imageFormat();
    info.resize = s.resize();
    for (String split : s.splits()) {
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
    info.options.putAll(s.options());
    return info;
  }

  /**
   * Commits a run's dataset from {@code stagingDir} into {@code outputDir}, with {@code dataset.json}
   * as the single commit point on every Beam filesystem:
   *
   * <ol>
   *   <li>the folder's current {@code dataset.json}, if any, must have been committed before this run
   *       started ({@code startedMillis}, when its graph was built: no I/O then), else another run
   *       committed meanwhile and this one fails, leaving that run's dataset as it is;
   *   <li>the new shards move in under names of their own generation, beside the old ones (a reader of
   *       the old {@code dataset.json} still finds all of its shards);
   *   <li>{@code dataset.json} is written in one rename, listing the new shards and the digest of the
   *       new {@code labels.txt}: from here the new dataset is the folder's;
   *   <li>{@code labels.txt} and the dead letters move in; shards of other generations and this run's
   *       staging folder are deleted, and so are staging folders of runs that died over a day ago.
   * </ol>
   *
   * A kill anywhere leaves either the old dataset or the new one (with a {@code labels.txt} readers
   * refuse until a retry finishes, should the kill fall between the last two steps). Idempotent: a
   * runner that retries it finds its own generation in {@code dataset.json} and finishes the last step.
   *
   * @throws IOException when a file cannot be moved, written or deleted, or a listed shard is
   *     neither staged nor in place
   * @throws IllegalStateException when another run committed into the folder since this one started
   */
  public static void commit(String outputDir, String stagingDir, DatasetInfo info, LabelVocabulary vocab,
      long startedMillis) throws IOException {
    ResourceId out = FileSystems.matchNewResource(outputDir, true);
    ResourceId staging = FileSystems.matchNewResource(stagingDir, true);
    DatasetInfo current = currentInfo(outputDir);
    String labelsText = vocab.toText();
    info.labelsSha256 = DatasetInfo.sha256(labelsText);
    Map<String, String> finalNames = renumber(info); // also on a retry: the names dataset.json lists
    if (current == null || !java.util.Objects.equals(current.generation, info.generation)) {
      if (current != null && current.committedAtMillis != null && current.committedAtMillis >= startedMillis) {
        deleteFolder(stagingDir);
        throw new IllegalStateException("another preprocess run committed a dataset into " + outputDir + " while this "
            + "one ran (generation " + current.generation + ", committed at " + java.time.Instant.ofEpochMilli(
                current.committedAtMillis) + ", after this run started at " + java.time.Instant.ofEpochMilli(startedMillis)
            + "): that dataset stays and this run's shards were discarded. Run one preprocess per folder at a time");
      }
      info.committedAtMillis = System.currentTimeMillis();
      List<String> staged = new ArrayList<>(finalNames.keySet());
      moveIn(staging, out, staged, staged.stream().map(finalNames::get).toList());
      String labelsTmp = LabelVocabulary.FILE_NAME + "." + info.generation;
      writeText(outputDir, labelsTmp, labelsText);
      writeText(outputDir, DatasetInfo.FILE_NAME, info.toJson()); // the commit point
    }
    String labelsTmp = LabelVocabulary.FILE_NAME + "." + info.generation;
    if (exists(file(outputDir, labelsTmp))) {
      FileSystems.rename(List.of(file(outputDir, labelsTmp)), List.of(file(outputDir, LabelVocabulary.FILE_NAME)));
    }
    moveIn(staging, out, List.of(DEAD_LETTER_FILE));
    java.util.Set<String> fresh = new java.util.HashSet<>();
    info.shards.values().forEach(fresh::addAll);
    List<ResourceId> old = new ArrayList<>();
    MatchResult existing = FileSystems.match(out.resolve("*.tfrecord*", StandardResolveOptions.RESOLVE_FILE).toString(),
        EmptyMatchTreatment.ALLOW);
    for (MatchResult.Metadata m : existing.metadata()) {
      String name = m.resourceId().getFilename();
      if (ANY_SHARD.matcher(name).matches() && !fresh.contains(name)) {
        old.add(m.resourceId());
      }
    }
    FileSystems.delete(old, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    deleteFolder(stagingDir);
    deleteAbandonedStaging(outputDir);
  }

  /** The dataset.json in {@code dir}: null when there is none (or it is not one we wrote: a run may replace it). */
  static DatasetInfo currentInfo(String dir) throws IOException {
    ResourceId info = file(dir, DatasetInfo.FILE_NAME);
    if (!exists(info)) {
      return null;
    }
    try {
      return DatasetInfo.fromJson(readText(dir, DatasetInfo.FILE_NAME));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Staging folders a run leaves when it dies before its commit; removed once a day old. */
  static final long ABANDONED_AFTER_MILLIS = 24L * 3600 * 1000;

  private static void deleteAbandonedStaging(String outputDir) throws IOException {
    ResourceId out = FileSystems.matchNewResource(outputDir, true);
    MatchResult staged = FileSystems.match(out.resolve(".staging-*/**", StandardResolveOptions.RESOLVE_FILE).toString(),
        EmptyMatchTreatment.ALLOW);
    java.util.Map<String, Long> newest = new java.util.HashMap<>();
    for (MatchResult.Metadata m : staged.metadata()) {
      String path = m.resourceId().toString();
      int start = path.indexOf("/.staging-") + 1;
      String folder = path.substring(0, path.indexOf('/', start));
      newest.merge(folder, m.lastModifiedMillis(), Math::max);
    }
    long now = System.currentTimeMillis();
    for (java.util.Map.Entry<String, Long> f : newest.entrySet()) {
      if (now - f.getValue() > ABANDONED_AFTER_MILLIS) {
        deleteFolder(f.getKey());
      }
    }
  }

  /** The folder, inside the output folder, where a refused run's report goes. */
  public static final String REFUSED_DIR = "refused";

  /**
   * A refused run (too many bad records): writes its {@code dataset.json} and moves its dead letters
   * into {@code outputDir/refused/}, so the user can see why, and removes the staged shards. A dataset
   * already in {@code outputDir} is left exactly as it was: a failing run never replaces a good one.
   */
  public static void refuse(String outputDir, String stagingDir, DatasetInfo info) throws IOException {
    ResourceId refused = FileSystems.matchNewResource(outputDir, true)
        .resolve(REFUSED_DIR, StandardResolveOptions.RESOLVE_DIRECTORY);
    writeText(refused.toString(), DatasetInfo.FILE_NAME, info.toJson());
    moveIn(FileSystems.matchNewResource(stagingDir, true), refused, List.of(DEAD_LETTER_FILE));
    deleteFolder(stagingDir);
  }

  /** Moves each named file from {@code from} to {@code to}, skipping those a previous attempt moved. */
  private static void moveIn(ResourceId from, ResourceId to, List<String> names) throws IOException {
    moveIn(from, to, names, names);
  }

  /** Moves {@code from/names[i]} to {@code to/newNames[i]}, skipping those a previous attempt moved. */
  private static void moveIn(ResourceId from, ResourceId to, List<String> names, List<String> newNames)
      throws IOException {
    List<ResourceId> src = new ArrayList<>();
    List<ResourceId> dst = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      ResourceId s = from.resolve(names.get(i), StandardResolveOptions.RESOLVE_FILE);
      ResourceId d = to.resolve(newNames.get(i), StandardResolveOptions.RESOLVE_FILE);
      if (exists(s)) {
        src.add(s);
        dst.add(d);
      } else if (!exists(d)) {
        throw new IOException(names.get(i) + " is neither staged in " + from + " nor in place in " + to);
      }
    }
    FileSystems.rename(src, dst);
  }

  private static final Pattern SHARD_NUMBER = Pattern.compile("(.*)-(\\d{5})-of-(\\d{5})(\\.tfrecord(\\.gz)?)");

  /**
   * Names each split's shards {@code -00000-of-NNNNN} to {@code -(N-1)-of-NNNNN} with N the shards it
   * really has (in the order of their staged names), in {@code info.shards} and {@code info.digests}, and
   * returns staged name → final name. A fixed shard count above the records (50 shards for 20
   * records) leaves some shards empty, which the writer does not create: their names said
   * {@code -of-00050} beside 16 files. Idempotent: names already numbered so stay as they are.
   */
  static Map<String, String> renumber(DatasetInfo info) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, List<String>> e : info.shards.entrySet()) {
      List<String> renamed = new ArrayList<>();
      int n = e.getValue().size();
      for (int i = 0; i < n; i++) {
        String name = e.getValue().get(i);
        java.util.regex.Matcher m = SHARD_NUMBER.matcher(name);
        String to = m.matches() ? String.format(Locale.ROOT, "%s-%05d-of-%05d%s", m.group(1), i, n, m.group(4)) : name;
        out.put(name, to);
        renamed.add(to);
      }
      e.setValue(renamed);
    }
    Map<String, dev.labelbeam.shard.ShardDigest> digests = new java.util.TreeMap<>();
    info.digests.forEach((name, d) -> digests.put(out.getOrDefault(name, name), d));
    info.digests.clear();
    info.digests.putAll(digests);
    return out;
  }

  private static boolean exists(ResourceId file) throws IOException {
    MatchResult m = FileSystems.match(List.of(file.toString())).get(0);
    return m.status() == MatchResult.Status.OK && !m.metadata().isEmpty();
  }

  /**
   * Removes a staging folder and what is left in it (Beam's temp folders).
   *
   * @throws IOException when something cannot be listed or deleted
   */
  public static void deleteFolder(String dir) throws IOException {
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
          for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
            java.nio.file.Files.delete(f);
          }
        }
      }
    }
  }

  /** {@code name} in the folder {@code dir}, on any Beam filesystem ({@code gs://b/d} + {@code x} gives {@code gs://b/d/x}). */
  public static ResourceId file(String dir, String name) {
    return FileSystems.matchNewResource(dir, true).resolve(name, StandardResolveOptions.RESOLVE_FILE);
  }

  /**
   * Creates a local output folder (with its parents); other filesystems (object stores) need none, so
   * a folder of theirs is left alone.
   */
  public static void createFolderIfLocal(String dir) throws IOException {
    if ("file".equals(FileSystems.matchNewResource(dir, true).getScheme())) {
      dev.labelbeam.shard.Folders.create(java.nio.file.Path.of(dir));
    }
  }

  /** Reads a whole file, given by its local path or URL, on any Beam filesystem. */
  public static byte[] readFile(String path) throws IOException {
    return readAll(FileSystems.matchNewResource(path, false));
  }

  /** Reads a whole file, given by its local path or URL, as UTF-8 text, on any Beam filesystem. */
  public static String readTextFile(String path) throws IOException {
    return new String(readFile(path), StandardCharsets.UTF_8);
  }

  private static byte[] readAll(ResourceId file) throws IOException {
    try (java.io.InputStream in = Channels.newInputStream(FileSystems.open(file))) {
      return in.readAllBytes();
    }
  }

  /** Reads {@code dir/name} as UTF-8 text, on any Beam filesystem. */
  public static String readText(String dir, String name) throws IOException {
    return new String(readAll(file(dir, name)), StandardCharsets.UTF_8);
  }

  /** The {@code dataset.json} of a dataset folder on any Beam filesystem. */
  public static DatasetInfo readInfo(String dir) throws IOException {
    return BeamStorage.create().readInfo(dir);
  }

  /** The {@code labels.txt} of a dataset folder on any Beam filesystem. */
  public static LabelVocabulary readVocabulary(String dir) throws IOException {
    return BeamStorage.create().readVocabulary(dir);
  }

  /** The shards of a split as {@code dataset.json} lists them, resolved against {@code dir}. */
  public static List<String> shardPaths(String dir, DatasetInfo info, String split) {
    ResourceId d = FileSystems.matchNewResource(dir, true);
    List<String> out = new ArrayList<>();
    for (String name : info.shards.getOrDefault(split, List.of())) {
      out.add(d.resolve(name, StandardResolveOptions.RESOLVE_FILE).toString());
    }
    return out;
  }

  /**
   * Writes UTF-8 text to {@code dir/name}, replacing what is there: written to a temporary name and
   * renamed, so a failure (a full disk) leaves the old file or none, never a cut one.
   */
  public static void writeText(String dir, String name, String text) throws IOException {
    writeTexts(dir, Map.of(name, text));
  }

  /**
   * Writes several files of one result (a report's files) into {@code dir}: all to temporary names
   * first, then each renamed into place. When any write fails, no file is replaced: the folder keeps
   * the previous result whole instead of a mix (a new metrics.json beside an old thresholds.json).
   */
  public static void writeTexts(String dir, Map<String, String> files) throws IOException {
    String suffix = ".tmp-" + java.util.UUID.randomUUID();
    List<ResourceId> temps = new ArrayList<>();
    List<ResourceId> targets = new ArrayList<>();
    try {
      for (Map.Entry<String, String> f : files.entrySet()) {
        ResourceId tmp = file(dir, f.getKey() + suffix);
        temps.add(tmp);
        try (OutputStream o = Channels.newOutputStream(FileSystems.create(tmp, "text/plain"))) {
          o.write(f.getValue().getBytes(StandardCharsets.UTF_8));
        }
        targets.add(file(dir, f.getKey()));
      }
    } catch (IOException | RuntimeException e) {
      try {
        FileSystems.delete(temps, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    FileSystems.rename(temps, targets);
  }
}
