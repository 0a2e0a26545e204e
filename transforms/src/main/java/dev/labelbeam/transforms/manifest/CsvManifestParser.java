package dev.labelbeam.transforms.manifest;

import dev.labelbeam.transforms.csv.CsvLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses CSV manifest lines {@code path,labels} where labels are separated by {@code |}. A header
 * line naming the columns is recognised and skipped: {@code path}, {@code image}, {@code file}
 * (and a few synonyms) for the paths, {@code labels}, {@code tags}, {@code classes} (and synonyms)
 * for the labels, in either order, with case and quotes as any tool writes them; the unnamed first
 * column of pandas' {@code DataFrame.to_csv} (its index: an empty name or {@code Unnamed: 0}) is
 * passed over. Fields are RFC 4180 CSV, read by {@link CsvLine} (Apache Commons CSV): any field may
 * be quoted ({@code "a,b.jpg","cat|dog"}, as Python's {@code csv} with {@code QUOTE_ALL} and
 * spreadsheets write), with doubled quotes inside; a UTF-8 byte-order mark and CR line ends are
 * ignored. Relative paths are resolved against {@code baseDir}; the id is
 * {@link ManifestParser#idOf the normalized path}.
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

  /** Where the path and the labels are among a line's fields. */
  public record Columns(int count, int path, int labels) implements java.io.Serializable {
    /** {@code path,labels}: a manifest without a header. */
    public static final Columns PATH_LABELS = new Columns(2, 0, 1);

    /** The columns a header line names, or null when {@code line} is not a header. */
    public static Columns ofHeader(String line) {
      // every line is asked: a data line (a path in it) is told apart without parsing it a second time
      for (String raw : line.split(",", -1)) {
        String n = raw.replace("\"", "").replace("\uFEFF", "").strip().toLowerCase(Locale.ROOT);
        if (!(PATH_NAMES.contains(n) || LABEL_NAMES.contains(n) || n.isEmpty() || n.equals("unnamed: 0"))) {
          return null;
        }
      }
      List<String> f;
      try {
        f = CsvLine.fields(line);
      } catch (IllegalArgumentException e) {
        return null;
      }
      int path = -1;
      int labels = -1;
      for (int i = 0; i < f.size(); i++) {
        String n = f.get(i).strip().toLowerCase(Locale.ROOT);
        if (PATH_NAMES.contains(n) && path < 0) {
          path = i;
        } else if (LABEL_NAMES.contains(n) && labels < 0) {
          labels = i;
        } else if (!(i == 0 && (n.isEmpty() || n.equals("unnamed: 0")))) {
          return null; // a column of another name: not a header we know
        }
      }
      return path >= 0 && labels >= 0 ? new Columns(f.size(), path, labels) : null;
    }
  }

  private final String baseDir;
  private final String idBase;
  private final Columns columns;

  /** @param baseDir folder the relative paths are relative to, with or without trailing slash */
  public CsvManifestParser(String baseDir) {
    this(baseDir, Columns.PATH_LABELS);
  }

  /** @param columns where the fields are (as the manifest's header says, {@link Columns#ofHeader}) */
  public CsvManifestParser(String baseDir, Columns columns) {
    this.baseDir = baseDir;
    this.idBase = ManifestParser.absoluteBase(baseDir);
    this.columns = columns == null ? Columns.PATH_LABELS : columns;
  }

  @Override
  public boolean isSkippable(String line) {
    return ManifestParser.clean(line).isEmpty() || Columns.ofHeader(line) != null;
  }

  @Override
  public ManifestEntry parse(String line) {
    String t = ManifestParser.clean(line);
    List<String> fields = CsvLine.fields(t);
    if (fields.size() < columns.count()) {
      throw new IllegalArgumentException("expected " + columns.count() + " fields (path and labels) but found "
          + fields.size() + ": " + ManifestParser.abbreviate(t));
    }
    if (fields.size() > columns.count()) {
      throw new IllegalArgumentException("more than " + columns.count() + " fields in manifest line (quote a path "
          + "that holds a comma): " + ManifestParser.abbreviate(t));
    }
    String path = fields.get(columns.path()).strip();
    String rest = fields.get(columns.labels());
    if (path.isEmpty()) {
      throw new IllegalArgumentException("empty path in manifest line: " + ManifestParser.abbreviate(t));
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
    return new ManifestEntry(ManifestParser.idOf(idBase, path), ManifestParser.readPath(baseDir, path),
        labels);
  }
}
