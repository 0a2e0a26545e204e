package dev.labelbeam.transforms.shards;

import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.ShardDigest;
import dev.labelbeam.shard.TfRecordReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;

/**
 * Reads our shards: from a {@code PCollection} of shard paths or globs (any Beam filesystem, gzip by
 * the {@code .gz} name) to the {@link ImageRecord}s they hold. Unlike Beam's {@code TFRecordIO}, a
 * damaged shard fails with its file name and byte offset ("data CRC mismatch at byte 81234 of
 * gs://b/val-00000-of-00002.tfrecord", where Beam says "Mismatch of data mask"), and with
 * {@link #verifiedAgainst} each shard's record count is checked against its digest in
 * {@code dataset.json} when its end is reached. Each shard is read whole by one worker; the paths are
 * spread over the workers by the file match.
 *
 * <pre>{@code
 * PCollection<ImageRecord> records = p.apply(Create.of("gs://bucket/shards/val-*.tfrecord"))
 *     .apply(ReadImageRecords.create());
 * }</pre>
 */
public final class ReadImageRecords extends PTransform<PCollection<String>, PCollection<ImageRecord>> {
  private static final long serialVersionUID = 1L;
  /** The counter of records read. */
  public static final String RECORDS_READ = "records_read";

  /** The dataset folder whose dataset.json holds the digests, read when the pipeline runs; null: not checked. */
  private final String datasetDir;

  private ReadImageRecords(String datasetDir) {
    this.datasetDir = datasetDir;
  }

  /** Reads the shards as they are. */
  public static ReadImageRecords create() {
    return new ReadImageRecords(null);
  }

  /**
   * Also checks each shard against its record count in the {@code dataset.json} of {@code datasetDir},
   * read when the pipeline runs (so an earlier step of the same pipeline may write it).
   */
  public ReadImageRecords verifiedAgainst(String datasetDir) {
    return new ReadImageRecords(java.util.Objects.requireNonNull(datasetDir, "datasetDir"));
  }

  @Override
  public PCollection<ImageRecord> expand(PCollection<String> paths) {
    return paths
        .apply("MatchShards", FileIO.matchAll())
        .apply("OpenShards", FileIO.readMatches())
        .apply("ReadRecords", ParDo.of(new ReadFn(datasetDir)))
        .setCoder(ImageRecordCoder.of());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.addIfNotNull(DisplayData.item("verifiedAgainst", datasetDir).withLabel("Counts checked against dataset.json"));
  }

  static final class ReadFn extends DoFn<FileIO.ReadableFile, ImageRecord> {
    private static final long serialVersionUID = 1L;
    private final String datasetDir;
    private final Counter read = Metrics.counter(ReadImageRecords.class, RECORDS_READ);
    private transient Map<String, ShardDigest> digests;

    ReadFn(String datasetDir) {
      this.datasetDir = datasetDir;
    }

    @Setup
    public void setup() throws IOException {
      digests = datasetDir == null ? Map.of() : new HashMap<>(BeamStorage.create().readInfo(datasetDir).digests);
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, OutputReceiver<ImageRecord> out) throws IOException {
      String path = file.getMetadata().resourceId().toString();
      String name = file.getMetadata().resourceId().getFilename();
      long n = 0;
      // the match's compression detection decompresses .gz shards; the reader sees TFRecords
      try (InputStream in = Channels.newInputStream(file.open()); TfRecordReader r = new TfRecordReader(in, path)) {
        for (byte[] data = r.next(); data != null; data = r.next()) {
          ImageRecord rec;
          try {
            rec = ImageRecord.parse(data);
          } catch (IllegalArgumentException e) {
            throw new IOException(path + " at byte " + (r.offset() - data.length - 16) + ": " + e.getMessage(), e);
          }
          read.inc();
          n++;
          out.output(rec);
        }
      }
      ShardDigest digest = digests.get(name);
      String problem = digest == null ? null : digest.countProblem(path, n);
      if (problem != null) {
        throw new IllegalStateException(problem);
      }
    }
  }
}
