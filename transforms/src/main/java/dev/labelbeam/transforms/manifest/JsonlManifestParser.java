package dev.labelbeam.transforms.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses JSON Lines manifests: one object a line, {@code {"image": "path", "labels": ["cat", ...]}}.
 * Blank lines are skipped; other keys are ignored. Relative paths are resolved against
 * {@code baseDir}; the id of an entry is its path as written.
 */
public final class JsonlManifestParser implements ManifestParser {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final String baseDir;

  public JsonlManifestParser(String baseDir) {
    this.baseDir = baseDir;
  }

  @Override
  public boolean isSkippable(String line) {
    return ManifestParser.clean(line).isEmpty();
  }

  @Override
  public ManifestEntry parse(String line) {
    JsonNode n;
    try {
      n = MAPPER.readTree(ManifestParser.clean(line));
    } catch (IOException e) {
      throw new IllegalArgumentException("not a JSON object: " + ManifestParser.abbreviate(line.strip()));
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("not a JSON object: " + ManifestParser.abbreviate(line.strip()));
    }
    JsonNode image = n.get("image");
    if (image == null || !image.isTextual() || image.asText().isBlank()) {
      throw new IllegalArgumentException("missing \"image\" path: " + ManifestParser.abbreviate(line.strip()));
    }
    JsonNode ls = n.get("labels");
    if (ls != null && !ls.isNull() && !ls.isArray()) {
      throw new IllegalArgumentException("\"labels\" must be an array of strings: " + ManifestParser.abbreviate(line.strip()));
    }
    List<String> labels = new ArrayList<>();
    if (ls != null && ls.isArray()) {
      for (JsonNode l : ls) {
        if (!l.isTextual()) {
          throw new IllegalArgumentException("\"labels\" must be an array of strings: " + ManifestParser.abbreviate(line.strip()));
        }
        String s = l.asText().strip();
        if (s.chars().anyMatch(Character::isISOControl)) {
          // labels.txt holds one label a line: a line break inside a label would shift every class after it
          throw new IllegalArgumentException("a label contains a line break or another control character: "
              + ManifestParser.abbreviate(line.strip()));
        }
        if (!s.isEmpty() && !labels.contains(s)) {
          labels.add(s);
        }
      }
    }
    String path = image.asText().strip();
    return new ManifestEntry(path, ManifestParser.resolve(baseDir, path), labels);
  }
}
