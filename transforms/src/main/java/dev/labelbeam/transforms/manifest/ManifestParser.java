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

  /**
   * Where to read the image a line names: a URL as given, a local path normalized (as its id is: a
   * {@code x/../} in it needs no folder {@code x}) and resolved against the manifest's folder.
   */
  static String readPath(String baseDir, String path) {
    return dev.labelbeam.shard.Storage.isUrl(path) ? path : resolve(baseDir, normalize(path));
  }

  /** Resolves a manifest path against the manifest's folder unless it is absolute or has a scheme. */
  static String resolve(String baseDir, String path) {
    if (path.startsWith("/") || dev.labelbeam.shard.Storage.isUrl(path)) {
      return path;
    }
    return baseDir.isEmpty() || baseDir.endsWith("/") ? baseDir + path : baseDir + "/" + path;
  }

  /**
   * The id of an image a manifest line names as {@code path}: the path normalized ({@code ./} and
   * {@code a/../} removed, repeated slashes folded) and, when it lies inside the manifest's folder
   * {@code absoluteBase} (absolute, or "" when unknown), relative to that folder; else absolute. So
   * {@code images/x.jpg}, {@code ./images/x.jpg} and {@code /data/images/x.jpg} beside
   * {@code /data/manifest.csv} are one image with the id {@code images/x.jpg}, and a merged manifest
   * that names it twice dead-letters the second ({@code duplicate_id}) instead of putting one image
   * in train and val. URLs keep their scheme and authority; their path is normalized.
   */
  static String idOf(String absoluteBase, String path) {
    if (dev.labelbeam.shard.Storage.isUrl(path)) {
      int start = path.indexOf("://") + 3;
      int slash = path.indexOf('/', start);
      if (slash < 0) {
        return path;
      }
      String id = path.substring(0, slash) + normalize(path.substring(slash));
      return relativeTo(absoluteBase, id);
    }
    String n = normalize(path);
    if (!n.startsWith("/") || absoluteBase.isEmpty()) {
      return n;
    }
    return relativeTo(absoluteBase, n);
  }

  /** {@code path} without the folder {@code base} (with its trailing slash) when it starts with it. */
  private static String relativeTo(String base, String path) {
    String b = base.endsWith("/") ? base : base + "/";
    return !base.isEmpty() && path.startsWith(b) && path.length() > b.length() ? path.substring(b.length()) : path;
  }

  /** A slash-separated path without {@code .}, empty segments and {@code x/..} ({@code ..} kept at the start). */
  static String normalize(String path) {
    boolean absolute = path.startsWith("/");
    java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
    for (String seg : path.split("/+")) {
      if (seg.isEmpty() || seg.equals(".")) {
        continue;
      }
      if (seg.equals("..") && !parts.isEmpty() && !parts.peekLast().equals("..")) {
        parts.removeLast();
      } else if (!(seg.equals("..") && absolute)) {
        parts.addLast(seg);
      }
    }
    return (absolute ? "/" : "") + String.join("/", parts);
  }

  /**
   * The folder of a manifest, absolute and normalized with a trailing slash, for {@link #idOf}: a
   * local relative folder is made absolute against this process's working folder; "" for none.
   */
  static String absoluteBase(String baseDir) {
    if (dev.labelbeam.shard.Storage.isUrl(baseDir)) {
      return idOf("", baseDir) + (baseDir.endsWith("/") ? "/" : "");
    }
    String abs = java.nio.file.Path.of(baseDir.isEmpty() ? "." : baseDir).toAbsolutePath().normalize().toString();
    return abs.endsWith("/") ? abs : abs + "/";
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
