package dev.labelbeam.shard;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The label vocabulary: {@code labels.txt} holds one label name a line, and the line number (from 0)
 * is the class index used by the bitsets.
 */
public final class LabelVocabulary implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The file name beside the shards. */
  public static final String FILE_NAME = "labels.txt";

  private final List<String> names;
  private final Map<String, Integer> index;

  /**
   * @throws IllegalArgumentException on an empty list, a blank or duplicate name, or a name with a
   *     line break
   */
  public LabelVocabulary(List<String> names) {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("a label vocabulary needs at least one label");
    }
    Map<String, Integer> idx = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      if (n == null || n.isBlank() || n.indexOf('\n') >= 0 || n.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("label " + i + " (line " + (i + 1) + " of labels.txt) is blank or spans "
            + "lines: '" + n + "'");
      }
      Integer first = idx.put(n, i);
      if (first != null) {
        throw new IllegalArgumentException("label '" + n + "' appears twice (lines " + (first + 1) + " and " + (i + 1)
            + " of labels.txt)");
      }
    }
    this.names = Collections.unmodifiableList(new ArrayList<>(names));
    this.index = idx;
  }

  public int size() {
    return names.size();
  }

  public String name(int classIndex) {
    return names.get(classIndex);
  }

  public List<String> names() {
    return names;
  }

  /** The class index of a label, or -1 when it is not in the vocabulary. */
  public int indexOf(String label) {
    Integer i = index.get(label);
    return i == null ? -1 : i;
  }

  /** Reads {@code labels.txt}; blank trailing lines are ignored. */
  public static LabelVocabulary read(Path file) throws IOException {
    return fromText(Files.readString(file, StandardCharsets.UTF_8));
  }

  /**
   * Parses the text of {@code labels.txt} (one label a line); each line is trimmed as manifest labels
   * are ({@code "blue_circle "} is {@code blue_circle}), blank trailing lines are ignored, and so are a
   * UTF-8 byte-order mark and CR line ends (a file saved by a Windows editor). A blank line before the
   * last label, or a label twice, is refused naming its line.
   */
  public static LabelVocabulary fromText(String text) {
    String t = text.startsWith("\uFEFF") ? text.substring(1) : text;
    List<String> lines = new ArrayList<>(t.lines().map(String::strip).toList());
    while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    return new LabelVocabulary(lines);
  }

  /** The text of {@code labels.txt}. */
  public String toText() {
    return String.join("\n", names) + "\n";
  }

  public void write(Path file) throws IOException {
    Files.writeString(file, toText(), StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LabelVocabulary && ((LabelVocabulary) o).names.equals(names);
  }

  @Override
  public int hashCode() {
    return names.hashCode();
  }
}
