package dev.labelbeam.transforms.manifest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses CSV manifest lines {@code path,labels} where labels are separated by {@code |}. A header
 * line naming the two columns is recognised and skipped: {@code path}, {@code image}, {@code file}
 * (and a few synonyms) for the paths, {@code labels}, {@code tags}, {@code classes} (and synonyms)
 * for the labels, in either order; a header {@code labels,path} makes every line read in that
 * order. Paths containing a comma may be quoted with double quotes ({@code "a,b.jpg",cat|dog}).
 * Relative paths are resolved against {@code baseDir}. The id of an entry is its path as written. A
 * UTF-8 byte-order mark and CR line ends are ignored.
 *
 * <p>A line whose labels look like image files while its path does not stops the run ("the columns
 * look swapped"): such a manifest once wrote no record and made a class of every image path.
 */
public final class CsvManifestParser implements ManifestParser {
  private static final long serialVersionUID = 1L;

  private static final Set<String> PATH_NAMES =
      Set.of("path", "image", "images", "file", "filename", "file_name", "filepath", "image_path", "img", "url", "uri");
  private static final Set<String> LABEL_NAMES =
      Set.of("labels", "label", "tags", "tag", "classes", "class", "categories", "category");
  private static final Pattern IMAGE_FILE =
      Pattern.compile("(?i).+\\.(jpe?g|png|gif|bmp|webp|tiff?|jfif|heic|avif)$");

  private final String baseDir;
  private final boolean labelsFirst;

  /** @param baseDir folder the relative paths are relative to, with or without trailing slash */
  public CsvManifestParser(String baseDir) {
    this(baseDir, false);
  }

  /** @param labelsFirst the columns are {@code labels,path} (as a header of that order says) */
  public CsvManifestParser(String baseDir, boolean labelsFirst) {
    this.baseDir = baseDir;
    this.labelsFirst = labelsFirst;
  }

  /**
   * Whether {@code line} is a header: two column names, one for the paths and one for the labels.
   * Returns null when it is not, else whether the labels come first.
   */
  public static Boolean headerLabelsFirst(String line) {
    String[] f = ManifestParser.clean(line).toLowerCase(Locale.ROOT).replace("\"", "").split(",", -1);
    if (f.length != 2) {
      return null;
    }
    String a = f[0].strip();
    String b = f[1].strip();
    if (PATH_NAMES.contains(a) && LABEL_NAMES.contains(b)) {
      return false;
    }
    if (LABEL_NAMES.contains(a) && PATH_NAMES.contains(b)) {
      return true;
    }
    return null;
  }

  @Override
  public boolean isSkippable(String line) {
    return ManifestParser.clean(line).isEmpty() || headerLabelsFirst(line) != null;
  }

  @Override
  public ManifestEntry parse(String line) {
    String t = ManifestParser.clean(line);
    String[] fields = labelsFirst ? splitLabelsFirst(t) : splitPathFirst(t);
    String path = fields[0];
    String rest = fields[1];
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
    if (!IMAGE_FILE.matcher(path).matches() && labels.stream().anyMatch(l -> IMAGE_FILE.matcher(l).matches())) {
      throw new IllegalStateException("the columns look swapped: in '" + ManifestParser.abbreviate(t) + "' the labels "
          + "look like image files and the path does not. A CSV manifest is path,labels; for labels,path add the "
          + "header line 'labels,path'");
    }
    return new ManifestEntry(path, ManifestParser.resolve(baseDir, path), labels);
  }

  /** {@code [path, labels]} of {@code path,labels} (the path may be quoted). */
  private static String[] splitPathFirst(String t) {
    if (t.startsWith("\"")) {
      int close = t.indexOf('"', 1);
      if (close < 0 || close + 1 >= t.length() || t.charAt(close + 1) != ',') {
        throw new IllegalArgumentException("unbalanced quotes in manifest line: " + ManifestParser.abbreviate(t));
      }
      return new String[] {t.substring(1, close), t.substring(close + 2)};
    }
    int comma = t.indexOf(',');
    if (comma < 0) {
      throw new IllegalArgumentException("expected 'path,labels' but found no comma: " + ManifestParser.abbreviate(t));
    }
    return new String[] {t.substring(0, comma).strip(), t.substring(comma + 1)};
  }

  /** {@code [path, labels]} of {@code labels,path} (the path may be quoted). */
  private static String[] splitLabelsFirst(String t) {
    int comma = t.indexOf(',');
    if (comma < 0) {
      throw new IllegalArgumentException("expected 'labels,path' but found no comma: " + ManifestParser.abbreviate(t));
    }
    String path = t.substring(comma + 1).strip();
    if (path.length() >= 2 && path.startsWith("\"") && path.endsWith("\"")) {
      path = path.substring(1, path.length() - 1);
    } else if (path.indexOf(',') >= 0) {
      throw new IllegalArgumentException("more than two fields in manifest line: " + ManifestParser.abbreviate(t));
    }
    return new String[] {path, t.substring(0, comma)};
  }
}
