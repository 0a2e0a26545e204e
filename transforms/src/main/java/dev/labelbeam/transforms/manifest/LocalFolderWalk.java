package dev.labelbeam.transforms.manifest;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks a local image-folder tree that may hold symbolic links, as users' trees do (a class folder
 * linked in from elsewhere, a link back up to the root), visiting each real folder at most once and
 * each real file at most once, in an order that does not depend on the filesystem's listing order.
 *
 * <ol>
 *   <li>The tree of real folders under the root is walked first, names in sorted order; every file
 *       found there is an image (files that are not regular, dangling links included, are passed on
 *       too: the decode step dead-letters them with their reason).
 *   <li>Then the links to folders, in the order found: a link whose target was already walked (a link
 *       to the root or an ancestor, a second link to one folder) is passed over, since its files are
 *       already in; any other is walked in turn, its files named by the link's path.
 *   <li>Last the links to files: a link to a file in a folder that was walked is the same image again
 *       ({@link Visitor#sameFile}, with the path it was kept under); any other is an image.
 * </ol>
 *
 * Names starting with a dot (hidden files and folders) are skipped. Memory grows with the number of
 * folders and links, not of files.
 */
final class LocalFolderWalk {
  /** What the walk finds, by path relative to the root ({@code cat/x.jpg}). */
  interface Visitor {
    /** An image (or something to dead-letter) at {@code file}, reached as {@code rel}. */
    void file(String rel, Path file) throws IOException;

    /** A link {@code rel} to the file already found as {@code keptRel}. */
    void sameFile(String rel, Path link, String keptRel) throws IOException;
  }

  private final Path root;
  private final Visitor visitor;
  /** Real folder → the relative path it was walked under ("" for the root). */
  private final Map<Path, String> walked = new HashMap<>();
  /** Real files reached through links to files outside the walked folders → their relative path. */
  private final Map<Path, String> linkedFiles = new HashMap<>();
  private final Deque<String> folderLinks = new ArrayDeque<>();
  private final List<String> fileLinks = new ArrayList<>();

  private LocalFolderWalk(Path root, Visitor visitor) {
    this.root = root;
    this.visitor = visitor;
  }

  /** Walks {@code root} (a local folder), telling {@code visitor} what it finds. */
  static void walk(Path root, Visitor visitor) throws IOException {
    new LocalFolderWalk(root, visitor).run();
  }

  private void run() throws IOException {
    if (!Files.isDirectory(root)) {
      throw new java.io.FileNotFoundException("the image folder " + root + " is not a folder (check the path)");
    }
    walkFolder(root, "");
    while (!folderLinks.isEmpty()) {
      String link = folderLinks.removeFirst();
      walkFolder(root.resolve(link), link);
    }
    for (String link : fileLinks) {
      Path p = root.resolve(link);
      Path real = p.toRealPath();
      boolean hidden = real.getFileName() != null && real.getFileName().toString().startsWith(".");
      String folder = real.getParent() == null || hidden ? null : walked.get(real.getParent()); // hidden: never read
      String kept = folder == null ? linkedFiles.get(real)
          : (folder.isEmpty() ? "" : folder + "/") + real.getFileName();
      if (kept != null) {
        visitor.sameFile(link, p, kept);
      } else {
        linkedFiles.put(real, link);
        visitor.file(link, p);
      }
    }
  }

  /** Walks the real folders under {@code dir} (reached as {@code rel}); links wait for later. */
  private void walkFolder(Path dir, String rel) throws IOException {
    if (walked.putIfAbsent(dir.toRealPath(), rel) != null) {
      return; // walked already, under another path
    }
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      s.forEach(children::add);
    }
    children.sort(null);
    for (Path child : children) {
      String name = child.getFileName().toString();
      if (name.startsWith(".")) {
        continue;
      }
      String childRel = rel.isEmpty() ? name : rel + "/" + name;
      if (Files.isSymbolicLink(child)) {
        if (Files.isDirectory(child)) {
          folderLinks.addLast(childRel);
        } else if (Files.isRegularFile(child)) {
          fileLinks.add(childRel);
        } else {
          visitor.file(childRel, child); // dangling, or a link to a device: dead-lettered with its reason
        }
      } else if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
        walkFolder(child, childRel);
      } else {
        visitor.file(childRel, child);
      }
    }
  }

  /** Whether a root is a local folder (a path, or a {@code file://} URL) this walk can read. */
  static boolean isLocal(String root) {
    return !dev.labelbeam.shard.Storage.isUrl(root) || root.startsWith("file://");
  }

  /** The local path of a local root. */
  static Path localPath(String root) {
    return root.startsWith("file://") ? Path.of(java.net.URI.create(root)) : Path.of(root);
  }
}
