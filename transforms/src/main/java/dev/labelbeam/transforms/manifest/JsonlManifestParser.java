package dev.labelbeam.transforms.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses JSON Lines manifests: one object a line, {@code {"image": "path", "labels": ["cat", ...]}}.
 * Blank lines are skipped. A line without {@code "labels"} (an image with no label says
 * {@code "labels": []}) or with another key ({@code "label"}, {@code "tags"}: a misspelt key would
 * otherwise leave every image unlabelled) is refused with a message naming the key. Relative paths are
 * resolved against {@code baseDir}; the id of an entry is {@link ManifestParser#idOf the normalized path}.
 */
public final class JsonlManifestParser implements ManifestParser {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The keys a manifest line may have. */
  public static final java.util.Set<String> KEYS = java.util.Set.of("image", "labels");

  private final String baseDir;
  private final String idBase;

  public JsonlManifestParser(String baseDir) {
    this.baseDir = baseDir;
    this.idBase = ManifestParser.absoluteBase(baseDir);
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
    for (java.util.Iterator<String> keys = n.fieldNames(); keys.hasNext(); ) {
      String k = keys.next();
      if (!KEYS.contains(k)) {
        throw new IllegalArgumentException("unknown key \"" + k + "\" (a manifest line has \"image\" and \"labels\""
            + (k.toLowerCase(java.util.Locale.ROOT).startsWith("label") || k.equals("tags") || k.equals("classes")
                ? "; did you mean \"labels\"?" : "") + "): " + ManifestParser.abbreviate(line.strip()));
      }
    }
    JsonNode ls = n.get("labels");
    if (ls == null) {
      throw new IllegalArgumentException("no \"labels\" key (an image without labels has \"labels\": []): "
          + ManifestParser.abbreviate(line.strip()));
    }
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
    return new ManifestEntry(ManifestParser.idOf(idBase, path), ManifestParser.readPath(baseDir, path),
        labels);
  }
}
