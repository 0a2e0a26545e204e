package dev.labelbeam.transforms.manifest;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses CSV manifest lines {@code path,labels} where labels are separated by {@code |}. A header
 * line {@code path,labels} is recognised and skipped. Paths containing a comma may be quoted with
 * double quotes ({@code "a,b.jpg",cat|dog}). Relative paths are resolved against {@code baseDir}.
 */
public final class CsvManifestParser implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String baseDir;

  /** @param baseDir folder the relative paths are relative to, with or without trailing slash */
  public CsvManifestParser(String baseDir) {
    this.baseDir = baseDir.endsWith("/") || baseDir.isEmpty() ? baseDir : baseDir + "/";
  }

  /** True for the header line and blank lines, which carry no record. */
  public static boolean isSkippable(String line) {
    String t = line.strip();
    return t.isEmpty() || t.equalsIgnoreCase("path,labels");
  }

  /**
   * Parses one line.
   *
   * @throws IllegalArgumentException with a message fit for a dead-letter record
   */
  public ManifestEntry parse(String line) {
    String t = line.strip();
    String path;
    String rest;
    if (t.startsWith("\"")) {
      int close = t.indexOf('"', 1);
      if (close < 0 || close + 1 >= t.length() || t.charAt(close + 1) != ',') {
        throw new IllegalArgumentException("unbalanced quotes in manifest line: " + abbreviate(t));
      }
      path = t.substring(1, close);
      rest = t.substring(close + 2);
    } else {
      int comma = t.indexOf(',');
      if (comma < 0) {
        throw new IllegalArgumentException("expected 'path,labels' but found no comma: " + abbreviate(t));
      }
      path = t.substring(0, comma).strip();
      rest = t.substring(comma + 1);
    }
    if (path.isEmpty()) {
      throw new IllegalArgumentException("empty path in manifest line: " + abbreviate(t));
    }
    if (rest.indexOf(',') >= 0) {
      throw new IllegalArgumentException("more than two fields in manifest line: " + abbreviate(t));
    }
    List<String> labels = new ArrayList<>();
    for (String l : rest.split("\\|")) {
      String s = l.strip();
      if (!s.isEmpty() && !labels.contains(s)) {
        labels.add(s);
      }
    }
    return new ManifestEntry(path, resolve(path), labels);
  }

  private String resolve(String path) {
    if (path.startsWith("/") || path.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
      return path;
    }
    return baseDir + path;
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
