package dev.labelbeam.shard;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where readers outside Beam (the trainer) read a dataset from: {@code dataset.json},
 * {@code labels.txt} and the shards. {@link #local()} reads local files; the {@code pipelines} module
 * plugs in Beam's {@code FileSystems} (so {@code train --shards gs://...} reads wherever preprocess
 * writes) without the trainer depending on Beam.
 */
public interface Storage extends Serializable {
  /** Opens a file for reading. */
  InputStream open(String path) throws IOException;

  /** A file's size in bytes. */
  long size(String path) throws IOException;

  /**
   * Fails with a message saying what to do when a shard's size differs from its recorded digest
   * (no check where {@code info} recorded none).
   */
  default void checkSizes(DatasetInfo info, java.util.List<String> shards) throws IOException {
    for (String shard : shards) {
      ShardDigest d = info.digest(shard);
      String problem = d == null ? null : d.sizeProblem(shard, size(shard));
      if (problem != null) {
        throw new IOException(problem);
      }
    }
  }

  /** {@code name} inside the folder {@code dir}. */
  String resolve(String dir, String name);

  /**
   * Whether {@code path} is a URL of some filesystem ({@code gs://b/x}, {@code s3://...},
   * {@code file:///x}) rather than a plain local path.
   */
  static boolean isUrl(String path) {
    return path.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*");
  }

  /** Local files, paths as {@link Path} understands them. */
  static Storage local() {
    return Local.INSTANCE;
  }

  /** A file's text as UTF-8. */
  default String readText(String dir, String name) throws IOException {
    try (InputStream in = open(resolve(dir, name))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The {@code dataset.json} of a dataset folder. */
  default DatasetInfo readInfo(String dir) throws IOException {
    return DatasetInfo.fromJson(readInfoText(dir));
  }

  /** The text of a dataset folder's {@code dataset.json}; a folder without one gets a message saying what to do. */
  default String readInfoText(String dir) throws IOException {
    try {
      return readText(dir, DatasetInfo.FILE_NAME);
    } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException e) {
      throw DatasetInfo.notADataset(dir, e);
    }
  }

  /**
   * The {@code labels.txt} of a dataset folder, checked against the digest its {@code dataset.json}
   * recorded ({@link DatasetInfo#checkLabels}).
   */
  default LabelVocabulary readVocabulary(String dir) throws IOException {
    return readVocabulary(dir, readInfo(dir));
  }

  /** The {@code labels.txt} of a dataset folder whose {@code dataset.json} was read already. */
  default LabelVocabulary readVocabulary(String dir, DatasetInfo info) throws IOException {
    String text = readText(dir, LabelVocabulary.FILE_NAME);
    info.checkLabels(text, dir);
    return LabelVocabulary.fromText(text);
  }

  /** A shard's records, through gzip when its name ends in {@code .gz}. */
  default TfRecordReader openRecords(String path) throws IOException {
    InputStream raw = open(path);
    if (path.endsWith(".gz")) {
      raw = new java.util.zip.GZIPInputStream(raw, 1 << 16);
    }
    return new TfRecordReader(raw, path);
  }

  /** Local files. */
  final class Local implements Storage {
    private static final long serialVersionUID = 1L;
    static final Local INSTANCE = new Local();

    private Local() {}

    @Override
    public InputStream open(String path) throws IOException {
      return Files.newInputStream(Path.of(path));
    }

    @Override
    public long size(String path) throws IOException {
      return Files.size(Path.of(path));
    }

    @Override
    public String resolve(String dir, String name) {
      return Path.of(dir).resolve(name).toString();
    }

    private Object readResolve() {
      return INSTANCE;
    }
  }
}
