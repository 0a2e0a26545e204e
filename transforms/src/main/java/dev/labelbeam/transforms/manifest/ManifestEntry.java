package dev.labelbeam.transforms.manifest;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * One manifest row: the image's stable id (the path as written in the manifest), where to read it
 * (resolved against the manifest's folder when relative) and its label names.
 */
public final class ManifestEntry implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String id;
  private final String path;
  private final List<String> labels;

  public ManifestEntry(String id, String path, List<String> labels) {
    this.id = Objects.requireNonNull(id, "id");
    this.path = Objects.requireNonNull(path, "path");
    this.labels = List.copyOf(labels);
  }

  public String id() {
    return id;
  }

  public String path() {
    return path;
  }

  public List<String> labels() {
    return labels;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ManifestEntry)) {
      return false;
    }
    ManifestEntry e = (ManifestEntry) o;
    return id.equals(e.id) && path.equals(e.path) && labels.equals(e.labels);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, path, labels);
  }

  @Override
  public String toString() {
    return id + " -> " + path + " " + labels;
  }
}
