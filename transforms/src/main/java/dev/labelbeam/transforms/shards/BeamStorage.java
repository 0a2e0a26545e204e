package dev.labelbeam.transforms.shards;

import dev.labelbeam.shard.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@link Storage} over Beam's {@link FileSystems}: every filesystem whose registrar is on the class
 * path ({@code gs://} with Beam's GCP IO, {@code s3://} with its AWS IO, local files).
 *
 * <p>Inside a pipeline (a {@code DoFn}) use {@link #create()}: the filesystems as the runner set them up
 * from the pipeline's options (an S3 endpoint or region, GCS credentials). Code outside a pipeline (the
 * trainer, a command's client side) registers them first from the options it was given,
 * {@link #registering}; registering from a {@code DoFn} would replace the runner's settings on that
 * worker with other ones.
 */
public final class BeamStorage implements Storage {
  private static final long serialVersionUID = 1L;

  /** Beam's filesystems as this JVM has them set up: by the runner inside a pipeline. */
  public static BeamStorage create() {
    return new BeamStorage();
  }

  /**
   * Beam's filesystems registered from {@code options}, for code that runs outside any pipeline. Each
   * call registers again (as {@code Pipeline.create} does): pass the options the user gave.
   */
  public static BeamStorage registering(PipelineOptions options) {
    FileSystems.setDefaultPipelineOptions(options);
    return new BeamStorage();
  }

  private BeamStorage() {}

  @Override
  public InputStream open(String path) throws IOException {
    return Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(path, false)));
  }

  @Override
  public long size(String path) throws IOException {
    return FileSystems.matchSingleFileSpec(path).sizeBytes();
  }

  @Override
  public String resolve(String dir, String name) {
    return DatasetFiles.file(dir, name).toString();
  }
}
