package dev.labelbeam.shard;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code dataset.json}: what a preprocess run wrote. The trainer derives {@code pos_weight} from
 * {@link #positiveCounts} of the train split. {@link #shards} lists exactly the shards of the run that
 * wrote this file; readers use it rather than listing the folder.
 *
 * <pre>{@code
 * {
 *   "numClasses": 12,
 *   "imageHeight": 64, "imageWidth": 64,       // the resize target (both = the shorter side in "shorter" mode)
 *   "imageFormat": "jpeg", "resize": "shorter:64",
 *   "records": {"train": 2700, "val": 300},              // records written per split
 *   "positiveCounts": {"train": [..C ints..], "val": [..]},  // per-class positives per split
 *   "shards": {"train": ["train-00000-of-00004.tfrecord", ...], "val": [...]},
 *   "digests": {"train-00000-of-00004.tfrecord": {"records": 700, "bytes": 9316352, "sha256": "3f2a..."}, ...},
 *   "deadLetters": {"decode_failed": 3},                 // dead-lettered records per reason
 *   "inputRecords": 3003,                                // = sum(records) + sum(deadLetters)
 *   "options": {"imageSize": "64", ...}                  // the options that produced it
 * }
 * }</pre>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public final class DatasetInfo implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  /** The file name beside the shards. */
  public static final String FILE_NAME = "dataset.json";


  /**
   * The generation of the preprocess run that wrote this file (its shards' names carry it). Null in
   * datasets written before generations.
   */
  public String generation;
  /**
   * When this file was committed (milliseconds since the epoch): a run refuses to commit over a dataset
   * committed after it started, so two runs into one folder at the same time cannot both succeed. Null
   * in datasets written before it was recorded.
   */
  public Long committedAtMillis;
  /** SHA-256 of the {@code labels.txt} written with this file, checked by readers (null before it was recorded). */
  public String labelsSha256;
  public int numClasses;
  public int imageHeight;
  public int imageWidth;
  public String imageFormat;
  /** The resize spec, e.g. {@code shorter:256}, {@code fit:320x240} or {@code exact:224x224}. */
  public String resize;
  public Map<String, Long> records = new LinkedHashMap<>();
  public Map<String, long[]> positiveCounts = new LinkedHashMap<>();
  public Map<String, List<String>> shards = new LinkedHashMap<>();
  /** Per shard file name: records, size and SHA-256 (absent in datasets written before they were recorded). */
  public Map<String, ShardDigest> digests = new LinkedHashMap<>();
  public Map<String, Long> deadLetters = new LinkedHashMap<>();
  public long inputRecords;
  public Map<String, String> options = new LinkedHashMap<>();

  /** Records of a split, 0 when absent. */
  public long records(String split) {
    return records.getOrDefault(split, 0L);
  }

  /** Per-class positive counts of a split; all zero when absent. */
  public long[] positiveCounts(String split) {
    long[] c = positiveCounts.get(split);
    return c == null ? new long[numClasses] : c;
  }

  /** The shards of a split this dataset.json lists, resolved against its folder {@code dir} in {@code storage}. */
  public List<String> shardPaths(Storage storage, String dir, String split) {
    List<String> out = new java.util.ArrayList<>();
    for (String name : shards.getOrDefault(split, List.of())) {
      out.add(storage.resolve(dir, name));
    }
    return out;
  }

  /** The shards of a split this dataset.json lists, resolved against the folder it lies in. */
  public List<Path> shardFiles(Path dir, String split) {
    List<Path> out = new java.util.ArrayList<>();
    for (String name : shards.getOrDefault(split, List.of())) {
      out.add(dir.resolve(name));
    }
    return out;
  }

  /** The recorded digest of a shard (by file name or path), or null when this dataset.json has none. */
  public ShardDigest digest(String shard) {
    int slash = shard.lastIndexOf('/');
    return digests.get(slash < 0 ? shard : shard.substring(slash + 1));
  }

  /** This value as indented JSON (the file's text). */
  public String toJson() {
    return Json.write(this);
  }

  /**
   * Fails when {@code labelsText} (a {@code labels.txt}) is not the one this file was written with:
   * a commit interrupted between the two files, or a labels.txt edited by hand.
   */
  public void checkLabels(String labelsText, String dir) throws IOException {
    if (labelsSha256 != null && !labelsSha256.equals(sha256(labelsText))) {
      throw new IOException("labels.txt in " + dir + " is not the one dataset.json was written with (a preprocess "
          + "interrupted while committing, or an edited labels.txt): run `labelbeam preprocess` into the folder again");
    }
  }

  /** Lowercase hex SHA-256 of the UTF-8 bytes of {@code text}. */
  public static String sha256(String text) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  /** The error for a folder without {@code dataset.json}: what it is not, and what to run first. */
  public static IOException notADataset(String dir, IOException cause) {
    return new IOException(dir + " is not a preprocessed folder (it has no " + FILE_NAME + "): run `labelbeam "
        + "preprocess --output " + dir + "` first, or give the folder a preprocess run wrote", cause);
  }

  /** Parses the file's text; the error names the file kind. */
  public static DatasetInfo fromJson(String json) {
    return Json.read(json, DatasetInfo.class, "dataset.json");
  }

  public static DatasetInfo read(Path file) throws IOException {
    return fromJson(java.nio.file.Files.readString(file));
  }

  public void write(Path file) throws IOException {
    java.nio.file.Files.writeString(file, toJson());
  }

  @Override
  public boolean equals(Object o) {
    return Json.sameJson(this, o);
  }

  @Override
  public int hashCode() {
    return toJson().hashCode();
  }
}
