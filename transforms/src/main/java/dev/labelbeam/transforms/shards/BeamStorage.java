package dev.labelbeam.transforms.shards;

import dev.labelbeam.shard.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * {@link Storage} over Beam's {@link FileSystems}: every filesystem whose registrar is on the class
 * path ({@code gs://} with Beam's GCP IO, {@code s3://} with its AWS IO, local files), for readers
 * outside a pipeline such as the trainer.
 */
public final class BeamStorage implements Storage {
  private static final long serialVersionUID = 1L;
  private static volatile boolean registered;

  /** Beam's filesystems, registered from the class path on first use. */
  public static BeamStorage create() {
    if (!registered) {
      synchronized (BeamStorage.class) {
        if (!registered) {
          FileSystems.setDefaultPipelineOptions(PipelineOptionsFactory.create());
          registered = true;
        }
      }
    }
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
