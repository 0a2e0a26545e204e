package dev.labelbeam.transforms.manifest;

import static dev.labelbeam.transforms.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;

import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * An image-folder tree as a manifest: every file under {@code root} (at any depth) is an entry whose
 * labels are the names of the folders between {@code root} and the file ({@code root/cat/x.jpg} →
 * {@code [cat]}; {@code root/cat/indoor/y.jpg} → {@code [cat, indoor]}). The id is the path relative
 * to {@code root}. Hidden files and folders (names starting with a dot) are skipped.
 */
public final class ReadImageFolder extends PTransform<PBegin, PCollection<ManifestEntry>> {
  private static final long serialVersionUID = 1L;

  private final String root;

  private ReadImageFolder(String root) {
    this.root = root.endsWith("/") ? root : root + "/";
  }

  /** All files under {@code root}, on any Beam filesystem. */
  public static ReadImageFolder from(String root) {
    checkArgument(root != null && !root.isEmpty(), "root must be a folder, was '%s'", root);
    return new ReadImageFolder(root);
  }

  @Override
  public PCollection<ManifestEntry> expand(PBegin input) {
    return input
        .apply("MatchFiles", FileIO.match().filepattern(root + "**"))
        .apply("ToEntries", ParDo.of(new ToEntryFn(root)))
        .setCoder(ManifestEntryCoder.of());
  }

  /** The entry of one matched file, or null for a hidden one. */
  static ManifestEntry entryOf(String root, String path) {
    String rel = path.startsWith(root) ? path.substring(root.length()) : path;
    String[] parts = rel.split("/");
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].startsWith(".")) {
        return null;
      }
      if (i < parts.length - 1 && !parts[i].isEmpty() && !labels.contains(parts[i])) {
        labels.add(parts[i]);
      }
    }
    return new ManifestEntry(rel, path, labels);
  }

  static final class ToEntryFn extends DoFn<MatchResult.Metadata, ManifestEntry> {
    private static final long serialVersionUID = 1L;
    private final String root;

    ToEntryFn(String root) {
      this.root = root;
    }

    @ProcessElement
    public void process(@Element MatchResult.Metadata m, OutputReceiver<ManifestEntry> out) {
      ManifestEntry e = entryOf(root, m.resourceId().toString());
      if (e != null) {
        out.output(e);
      }
    }
  }
}
