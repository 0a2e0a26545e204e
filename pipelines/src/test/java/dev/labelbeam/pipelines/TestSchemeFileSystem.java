package dev.labelbeam.pipelines;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.beam.sdk.io.FileSystem;
import org.apache.beam.sdk.io.FileSystemRegistrar;
import org.apache.beam.sdk.io.fs.CreateOptions;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Filesystems of their own schemes, registered by the tests only: {@code lbtest:///a/b} is the local
 * file {@code /a/b}, but nothing reaches it through {@code java.nio.file.Path}, so a reader that
 * bypasses Beam's {@code FileSystems} fails on it (as it would on {@code gs://}). {@code lbroot:///a/b}
 * is {@code <root>/a/b}, the root given by a pipeline option ({@code --lbRoot}) as an S3 endpoint or a
 * GCS project is: code that registers the filesystems again with other options (from a {@code DoFn})
 * loses it, and every access then fails saying so.
 */
public final class TestSchemeFileSystem extends FileSystem<TestSchemeFileSystem.Id> {
  static final String SCHEME = "lbtest";
  static final String ROOTED_SCHEME = "lbroot";

  /** {@code lbtest://} + an absolute local path. */
  static String url(Path local) {
    return SCHEME + "://" + local.toAbsolutePath();
  }

  /** The option {@code lbroot://} takes its root from. */
  public interface RootOptions extends PipelineOptions {
    @org.apache.beam.sdk.options.Description("The local folder lbroot:/// names (tests only)")
    String getLbRoot();

    void setLbRoot(String root);
  }

  /** Makes {@code --lbRoot} known to Beam's option parser (found through {@code META-INF/services}). */
  public static final class OptionsRegistrar implements org.apache.beam.sdk.options.PipelineOptionsRegistrar {
    @Override
    public Iterable<Class<? extends PipelineOptions>> getPipelineOptions() {
      return List.of(RootOptions.class);
    }
  }

  /** Registers the schemes with Beam (found through {@code META-INF/services}). */
  public static final class Registrar implements FileSystemRegistrar {
    @Override
    public Iterable<FileSystem<?>> fromOptions(PipelineOptions options) {
      return List.of(new TestSchemeFileSystem(SCHEME, ""),
          new TestSchemeFileSystem(ROOTED_SCHEME, options.as(RootOptions.class).getLbRoot()));
    }
  }

  private final String scheme;
  /** Prepended to every path; null: the option was not given (or was lost). */
  private final String root;

  private TestSchemeFileSystem(String scheme, String root) {
    this.scheme = scheme;
    this.root = root;
  }

  private void checkRoot() throws IOException {
    if (root == null) {
      throw new IOException(scheme + ":// has no --lbRoot: the filesystems were registered again without the "
          + "pipeline's options");
    }
  }

  /** A path of this scheme. */
  static final class Id implements ResourceId {
    private static final long serialVersionUID = 1L;
    final String scheme;
    final String root;
    final String path;
    final boolean dir;

    Id(String scheme, String root, String path, boolean dir) {
      this.scheme = scheme;
      this.root = root;
      this.path = path;
      this.dir = dir;
    }

    Path local() throws IOException {
      if (root == null) {
        throw new IOException(scheme + ":// has no --lbRoot: the filesystems were registered again without the "
            + "pipeline's options");
      }
      return Path.of(root + path);
    }

    @Override
    public ResourceId resolve(String other, ResolveOptions options) {
      boolean isDir = options == ResolveOptions.StandardResolveOptions.RESOLVE_DIRECTORY;
      return new Id(scheme, root, Path.of(path).resolve(other).toString(), isDir);
    }

    @Override
    public ResourceId getCurrentDirectory() {
      return dir ? this : new Id(scheme, root, Path.of(path).getParent().toString(), true);
    }

    @Override
    public String getScheme() {
      return scheme;
    }

    @Override
    public boolean isDirectory() {
      return dir;
    }

    @Override
    public String getFilename() {
      Path f = Path.of(path).getFileName();
      return f == null ? null : f.toString();
    }

    @Override
    public String toString() {
      return scheme + "://" + path + (dir && !path.endsWith("/") ? "/" : "");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Id && ((Id) o).scheme.equals(scheme) && ((Id) o).path.equals(path) && ((Id) o).dir == dir;
    }

    @Override
    public int hashCode() {
      return path.hashCode();
    }
  }

  private String strip(String spec) {
    if (!spec.startsWith(scheme + "://")) {
      throw new IllegalArgumentException("not an " + scheme + ":// path: " + spec);
    }
    return spec.substring(scheme.length() + 3);
  }

  /** The local file of a path of this scheme. */
  private Path local(String p) throws IOException {
    checkRoot();
    return Path.of(root + p);
  }

  @Override
  protected List<MatchResult> match(List<String> specs) throws IOException {
    List<MatchResult> out = new ArrayList<>();
    for (String spec : specs) {
      String p = strip(spec);
      List<MatchResult.Metadata> found = new ArrayList<>();
      boolean glob = p.contains("*") || p.contains("?");
      if (glob) {
        Path dir = local(p.substring(0, p.lastIndexOf('/', p.indexOf('*') >= 0 ? p.indexOf('*') : p.indexOf('?'))));
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + local(p));
        if (Files.isDirectory(dir)) {
          try (var walk = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
              if (m.matches(f)) {
                found.add(metadata(f));
              }
            }
          }
        }
      } else if (Files.isRegularFile(local(p))) {
        found.add(metadata(local(p)));
      }
      out.add(found.isEmpty() && !glob
          ? MatchResult.create(MatchResult.Status.NOT_FOUND, new java.io.FileNotFoundException(spec))
          : MatchResult.create(MatchResult.Status.OK, found));
    }
    return out;
  }

  private MatchResult.Metadata metadata(Path f) throws IOException {
    return MatchResult.Metadata.builder()
        .setResourceId(new Id(scheme, root, f.toString().substring(root.length()), false)).setIsReadSeekEfficient(true)
        .setSizeBytes(Files.size(f)).setLastModifiedMillis(Files.getLastModifiedTime(f).toMillis()).build();
  }

  @Override
  protected WritableByteChannel create(Id id, CreateOptions options) throws IOException {
    Files.createDirectories(id.local().getParent());
    return Files.newByteChannel(id.local(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
  }

  @Override
  protected ReadableByteChannel open(Id id) throws IOException {
    return Files.newByteChannel(id.local());
  }

  @Override
  protected void copy(List<Id> from, List<Id> to) throws IOException {
    for (int i = 0; i < from.size(); i++) {
      Files.createDirectories(to.get(i).local().getParent());
      Files.copy(from.get(i).local(), to.get(i).local(), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Override
  protected void rename(List<Id> from, List<Id> to, MoveOptions... options) throws IOException {
    for (int i = 0; i < from.size(); i++) {
      Files.createDirectories(to.get(i).local().getParent());
      Files.move(from.get(i).local(), to.get(i).local(), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Override
  protected void delete(Collection<Id> ids) throws IOException {
    for (Id id : ids) {
      Files.deleteIfExists(id.local());
    }
  }

  @Override
  protected Id matchNewResource(String spec, boolean isDirectory) {
    String p = strip(spec);
    return new Id(scheme, root, p.endsWith("/") && p.length() > 1 ? p.substring(0, p.length() - 1) : p, isDirectory);
  }

  @Override
  protected String getScheme() {
    return scheme;
  }
}
