package dev.labelbeam.transforms.images;

import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Collection;
import java.util.List;
import org.apache.beam.sdk.io.FileSystem;
import org.apache.beam.sdk.io.FileSystemRegistrar;
import org.apache.beam.sdk.io.fs.CreateOptions;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * A filesystem whose every call fails with a bug ({@code lbbug://}, tests only): what a programming error
 * under the decode step looks like, which must fail the job rather than pass for a bad image.
 */
public final class BuggyFileSystem extends FileSystem<ResourceId> {
  /** Registers {@code lbbug://} (found through {@code META-INF/services}). */
  public static final class Registrar implements FileSystemRegistrar {
    @Override
    public Iterable<FileSystem<?>> fromOptions(PipelineOptions options) {
      return List.of(new BuggyFileSystem());
    }
  }

  private static RuntimeException bug() {
    return new NullPointerException("a bug in lbbug://");
  }

  @Override
  protected List<MatchResult> match(List<String> specs) {
    throw bug();
  }

  @Override
  protected WritableByteChannel create(ResourceId r, CreateOptions o) {
    throw bug();
  }

  @Override
  protected ReadableByteChannel open(ResourceId r) {
    throw bug();
  }

  @Override
  protected void copy(List<ResourceId> a, List<ResourceId> b) {
    throw bug();
  }

  @Override
  protected void rename(List<ResourceId> a, List<ResourceId> b, MoveOptions... o) {
    throw bug();
  }

  @Override
  protected void delete(Collection<ResourceId> r) {
    throw bug();
  }

  @Override
  protected ResourceId matchNewResource(String spec, boolean dir) {
    throw bug();
  }

  @Override
  protected String getScheme() {
    return "lbbug";
  }
}
