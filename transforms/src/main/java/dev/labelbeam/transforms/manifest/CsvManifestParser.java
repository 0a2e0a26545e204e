package dev.labelbeam.transforms.manifest;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses CSV manifest lines {@code path,labels} where labels are separated by {@code |}. A header
 * line {@code path,labels} is recognised and skipped. Paths containing a comma may be quoted with
 * double quotes ({@code "a,b.jpg",cat|dog}). Relative paths are resolved against {@code baseDir}.
 * The id of an entry is its path as written.
 */
public final class CsvManifestParser implements ManifestParser {
  private static final long serialVersionUID = 1L;

  private final String baseDir;

  /** @param baseDir folder the relative paths are relative to, with or without trailing slash */
  public CsvManifestParser(String baseDir) {
    this.baseDir = baseDir;
  }

  @Override
  public boolean isSkippable(String line) {
    String t = line.strip();
    return t.isEmpty() || t.equalsIgnoreCase("path,labels");
  }

  @Override
  public ManifestEntry parse(String line) {
    String t = line.strip();
    String path;
    String rest;
    if (t.startsWith("\"")) {
      int close = t.indexOf('"', 1);
      if (close < 0 || close + 1 >= t.length() || t.charAt(close + 1) != ',') {
        throw new IllegalArgumentException("unbalanced quotes in manifest line: " + ManifestParser.abbreviate(t));
      }
      path = t.substring(1, close);
      rest = t.substring(close + 2);
    } else {
      int comma = t.indexOf(',');
      if (comma < 0) {
        throw new IllegalArgumentException("expected 'path,labels' but found no comma: " + ManifestParser.abbreviate(t));
      }
      path = t.substring(0, comma).strip();
      rest = t.substring(comma + 1);
    }
    if (path.isEmpty()) {
      throw new IllegalArgumentException("empty path in manifest line: " + ManifestParser.abbreviate(t));
    }
    if (rest.indexOf(',') >= 0) {
      throw new IllegalArgumentException("more than two fields in manifest line: " + ManifestParser.abbreviate(t));
    }
    List<String> labels = new ArrayList<>();
    for (String l : rest.split("\\|")) {
      String s = l.strip();
      if (!s.isEmpty() && !labels.contains(s)) {
        labels.add(s);
      }
    }
    return new ManifestEntry(path, ManifestParser.resolve(baseDir, path), labels);
  }
}
