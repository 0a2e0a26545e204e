package dev.labelbeam.transforms.manifest;

import static dev.labelbeam.transforms.Preconditions.checkArgument;

import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.errors.DeadLetterCoder;
import dev.labelbeam.transforms.errors.Reason;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * An image-folder tree as a manifest: every file under {@code root} (at any depth) is an entry whose
 * labels are the names of the folders between {@code root} and the file ({@code root/cat/x.jpg} →
 * {@code [cat]}; {@code root/cat/indoor/y.jpg} → {@code [cat, indoor]}). The id is the path relative
 * to {@code root}. Hidden files and folders (names starting with a dot) are skipped.
 *
 * <p>A local tree is walked by {@link LocalFolderWalk}, which follows symbolic links but walks each real
 * folder once (a link back up to the root adds nothing and never loops) and reads each real file once:
 * a second path to a file already found (a link to it) goes to {@link ReadManifest#DEAD_LETTERS} as
 * {@code duplicate_file}, naming the path it was kept under. Other filesystems ({@code gs://},
 * {@code s3://}, which have no links) are matched with Beam's {@code FileIO.match}. Outputs
 * {@link ReadManifest#ENTRIES} and {@link ReadManifest#DEAD_LETTERS}, as a manifest's.
 */
public final class ReadImageFolder extends PTransform<PBegin, PCollectionTuple> {
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
  public PCollectionTuple expand(PBegin input) {
    PCollectionTuple out;
    if (LocalFolderWalk.isLocal(root)) {
      out = input
          .apply("Root", Create.of(root))
          .apply("WalkFolder", ParDo.of(new WalkFn()).withOutputTags(ReadManifest.ENTRIES,
              TupleTagList.of(ReadManifest.DEAD_LETTERS)));
    } else {
      PCollection<ManifestEntry> matched = input
          .apply("MatchFiles", FileIO.match().filepattern(root + "**"))
          .apply("ToEntries", ParDo.of(new ToEntryFn(root)));
      out = PCollectionTuple.of(ReadManifest.ENTRIES, matched)
          .and(ReadManifest.DEAD_LETTERS, input.apply("NoDuplicateFiles", Create.empty(DeadLetterCoder.of())));
    }
    out.get(ReadManifest.ENTRIES).setCoder(ManifestEntryCoder.of());
    out.get(ReadManifest.DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    return out;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("root", root).withLabel("Image folder"));
  }

  /** The local tree's entries, and a dead letter for each second path to a file. */
  static final class WalkFn extends DoFn<String, ManifestEntry> {
    private static final long serialVersionUID = 1L;
    private final Counter duplicates = Metrics.counter(ReadImageFolder.class, Reason.DUPLICATE_FILE.code());

    @ProcessElement
    public void process(@Element String root, MultiOutputReceiver out) throws IOException {
      Path local = LocalFolderWalk.localPath(root);
      LocalFolderWalk.walk(local, new LocalFolderWalk.Visitor() {
        @Override
        public void file(String rel, Path file) {
          ManifestEntry e = entryOf(root, root + rel);
          if (e != null) {
            out.get(ReadManifest.ENTRIES).output(new ManifestEntry(e.id(), file.toString(), e.labels()));
          }
        }

        @Override
        public void sameFile(String rel, Path link, String keptRel) {
          duplicates.inc();
          out.get(ReadManifest.DEAD_LETTERS).output(new DeadLetter(rel, link.toString(), Reason.DUPLICATE_FILE,
              "the same file as " + keptRel + " (a link to it): an image is read once, with the labels of the path it "
                  + "was kept under"));
        }
      });
    }
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
