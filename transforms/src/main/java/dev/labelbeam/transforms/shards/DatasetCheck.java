package dev.labelbeam.transforms.shards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.LabelBits;
import dev.labelbeam.shard.ShardDigest;
import dev.labelbeam.shard.ShardFiles;
import dev.labelbeam.transforms.PreprocessImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks a preprocessed dataset folder the way a user who distrusts a distributed run would: every
 * shard that {@code dataset.json} lists reads back with valid checksums and matches its recorded record
 * count, size and SHA-256, no id appears twice, each
 * split's record and per-class positive counts equal {@code dataset.json}'s, no stray shard from an
 * earlier run lies beside them, the dead-letter file's reasons match its counts, and input records =
 * written + dead-lettered. {@link #sameAs} then compares two datasets record by record (byte for byte
 * per id, by SHA-256 of the serialized {@code tf.train.Example}), e.g. a Flink cluster's output against
 * the DirectRunner's on the same input.
 *
 * <p>Memory: 32 bytes of digest per record, so a few hundred MB for ten million records.
 */
public final class DatasetCheck {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_LISTED = 10;

  private final Path dir;
  private final DatasetInfo info;
  private final Map<String, byte[]> digests = new HashMap<>();
  private final Map<String, String> splitOf = new HashMap<>();
  private final List<String> deadLetterLines = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  private long written;
  private long unverified;

  private DatasetCheck(Path dir) throws IOException {
    this.dir = dir;
    Path infoFile = dir.resolve(DatasetInfo.FILE_NAME);
    if (!Files.isRegularFile(infoFile)) {
      throw DatasetInfo.notADataset(dir.toString(), null);
    }
    this.info = DatasetInfo.read(infoFile);
  }

  /** Reads every shard and the dead-letter file of {@code dir}; the result lists what is wrong. */
  public static DatasetCheck of(Path dir) throws IOException {
    DatasetCheck c = new DatasetCheck(dir);
    c.checkDescribesADataset();
    c.checkShards();
    c.checkDeadLetters();
    long dead = c.info.deadLetters.values().stream().mapToLong(Long::longValue).sum();
    if (c.info.inputRecords != c.written + dead) {
      c.problem("input records %d != written %d + dead-lettered %d", c.info.inputRecords, c.written, dead);
    }
    return c;
  }

  /** A dataset.json of {@code {}} (or one that lists nothing) describes no dataset: it must not pass. */
  private void checkDescribesADataset() throws IOException {
    if (info.numClasses < 1) {
      problem("dataset.json gives %d classes; a dataset has at least one", info.numClasses);
    }
    if (info.shards.values().stream().allMatch(List::isEmpty)) {
      problem("dataset.json lists no shards");
    }
    if (info.inputRecords < 1) {
      problem("dataset.json counts %d input records", info.inputRecords);
    }
    java.util.Set<String> labels = new java.util.HashSet<>(info.records.keySet());
    if (!labels.equals(info.shards.keySet())) {
      problem("dataset.json's record counts name the splits %s, its shard lists %s", info.records.keySet(),
          info.shards.keySet());
    }
    Path vocabulary = dir.resolve(dev.labelbeam.shard.LabelVocabulary.FILE_NAME);
    if (!Files.exists(vocabulary)) {
      problem("%s is missing", vocabulary.getFileName());
    } else if (info.labelsSha256 != null
        && !info.labelsSha256.equals(DatasetInfo.sha256(Files.readString(vocabulary)))) {
      problem("labels.txt is not the one dataset.json was written with (its SHA-256 differs)");
    } else if (info.numClasses >= 1
        && dev.labelbeam.shard.LabelVocabulary.read(vocabulary).size() != info.numClasses) {
      problem("labels.txt has %d labels, dataset.json %d classes",
          dev.labelbeam.shard.LabelVocabulary.read(vocabulary).size(), info.numClasses);
    }
  }

  private void checkShards() throws IOException {
    for (String split : info.shards.keySet()) {
      List<Path> listed = info.shardFiles(dir, split);
      List<Path> onDisk = ShardFiles.list(dir, split);
      if (!onDisk.equals(listed)) {
        problem("split %s: shards on disk %s differ from dataset.json's %s (files it does not list are left by an "
            + "interrupted run: delete them, or preprocess again)", split, names(onDisk), names(listed));
      }
      long[] positives = new long[info.numClasses];
      long count = 0;
      for (Path shard : listed) {
        count += readShard(split, shard, positives);
      }
      written += count;
      if (count != info.records(split)) {
        problem("split %s: %d records in its shards, dataset.json says %d", split, count, info.records(split));
      }
      if (!Arrays.equals(positives, info.positiveCounts(split))) {
        problem("split %s: per-class positive counts differ from dataset.json's", split);
      }
    }
  }

  private long readShard(String split, Path shard, long[] positives) throws IOException {
    long[] n = {0};
    String name = shard.getFileName().toString();
    try {
      ShardDigest actual = ShardDigest.read(Files.newInputStream(shard), name, data -> {
        ImageRecord rec = ImageRecord.parse(data);
        byte[] previous = digests.put(rec.id(), sha256(data));
        if (previous != null) {
          problem("id %s appears twice (%s and %s)", rec.id(), splitOf.get(rec.id()), name);
        }
        splitOf.put(rec.id(), split + "/" + name);
        for (int c : LabelBits.unpack(rec.labelBits(), info.numClasses)) {
          positives[c]++;
        }
        n[0]++;
      });
      ShardDigest recorded = info.digest(name);
      if (recorded == null) {
        unverified++;
      } else if (!recorded.equals(actual)) {
        problem("%s: %d records, %d bytes, SHA-256 %s; dataset.json recorded %d records, %d bytes, SHA-256 %s: the "
            + "shard changed after preprocess", name, actual.records(), actual.bytes(), actual.sha256(),
            recorded.records(), recorded.bytes(), recorded.sha256());
      }
    } catch (IOException | RuntimeException e) {
      problem("%s: %s", name, e.getMessage());
    }
    return n[0];
  }

  /** Shards without a recorded digest (a dataset written before digests were recorded). */
  public long unverifiedShards() {
    return unverified;
  }

  private void checkDeadLetters() throws IOException {
    Path file = dir.resolve(PreprocessImages.DEAD_LETTER_FILE);
    Map<String, Long> reasons = new TreeMap<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file)) {
        if (line.isBlank()) {
          continue;
        }
        deadLetterLines.add(line);
        JsonNode n = JSON.readTree(line);
        reasons.merge(n.path("reason").asText("?"), 1L, Long::sum);
      }
    }
    if (!reasons.equals(new TreeMap<>(info.deadLetters))) {
      problem("dead letters by reason %s, dataset.json says %s", reasons, new TreeMap<>(info.deadLetters));
    }
    deadLetterLines.sort(null);
  }

  /** What differs between this dataset and {@code other}: ids, record bytes, splits, dead letters. */
  public List<String> sameAs(DatasetCheck other) {
    List<String> diff = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : digests.entrySet()) {
      byte[] theirs = other.digests.get(e.getKey());
      if (theirs == null) {
        add(diff, "id %s only in %s", e.getKey(), dir);
      } else if (!Arrays.equals(e.getValue(), theirs)) {
        add(diff, "id %s: record bytes differ", e.getKey());
      } else if (!splitName(e.getKey()).equals(other.splitName(e.getKey()))) {
        add(diff, "id %s: in split %s here, %s there", e.getKey(), splitName(e.getKey()), other.splitName(e.getKey()));
      }
    }
    for (String id : other.digests.keySet()) {
      if (!digests.containsKey(id)) {
        add(diff, "id %s only in %s", id, other.dir);
      }
    }
    if (!deadLetterLines.equals(other.deadLetterLines)) {
      add(diff, "dead-letter records differ (%d here, %d there)", deadLetterLines.size(), other.deadLetterLines.size());
    }
    if (diff.size() > MAX_LISTED) {
      int more = diff.size() - MAX_LISTED;
      diff = new ArrayList<>(diff.subList(0, MAX_LISTED));
      diff.add("... and " + more + " more");
    }
    return diff;
  }

  private String splitName(String id) {
    String s = splitOf.get(id);
    return s.substring(0, s.indexOf('/'));
  }

  /** Problems found in this dataset alone; empty when it is complete and consistent. */
  public List<String> problems() {
    return problems;
  }

  public DatasetInfo info() {
    return info;
  }

  /** Records read from the shards. */
  public long written() {
    return written;
  }

  /** Lines in the dead-letter file. */
  public long deadLettered() {
    return deadLetterLines.size();
  }

  /** One line: input, written per split, dead-lettered. */
  public String summary() {
    StringBuilder s = new StringBuilder();
    s.append(String.format("%s: input %d = written %d (", dir, info.inputRecords, written));
    String sep = "";
    for (String split : info.shards.keySet()) {
      s.append(sep).append(split).append(' ').append(info.records(split));
      sep = ", ";
    }
    s.append(String.format(") + dead-lettered %d", deadLetterLines.size()));
    if (unverified > 0) {
      s.append(String.format("; %d shards without a recorded SHA-256 (written by an older labelbeam): their bytes "
          + "were not verified", unverified));
    }
    return s.toString();
  }

  private void problem(String format, Object... args) {
    add(problems, format, args);
  }

  private static void add(List<String> out, String format, Object... args) {
    out.add(String.format(format, args));
  }

  private static List<String> names(List<Path> files) {
    return files.stream().map(f -> f.getFileName().toString()).toList();
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
