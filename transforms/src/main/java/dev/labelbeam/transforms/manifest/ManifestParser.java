package dev.labelbeam.transforms.manifest;

import java.io.Serializable;

/** Parses one line of a manifest into a {@link ManifestEntry}. */
public interface ManifestParser extends Serializable {
  /** True for lines that carry no record (blank lines, a header). */
  boolean isSkippable(String line);

  /**
   * Parses one line.
   *
   * @throws IllegalArgumentException with a message fit for a dead-letter record
   */
  ManifestEntry parse(String line);

  /** Resolves a manifest path against the manifest's folder unless it is absolute or has a scheme. */
  static String resolve(String baseDir, String path) {
    if (path.startsWith("/") || dev.labelbeam.shard.Storage.isUrl(path)) {
      return path;
    }
    return baseDir.isEmpty() || baseDir.endsWith("/") ? baseDir + path : baseDir + "/" + path;
  }

  /** The line without a UTF-8 byte-order mark (a text editor's) and surrounding white space, CR included. */
  static String clean(String line) {
    String t = line.startsWith("\uFEFF") ? line.substring(1) : line;
    return t.strip();
  }

  /** The line shortened for a message. */
  static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
