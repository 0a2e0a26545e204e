package dev.labelbeam.transforms.images;

import static dev.labelbeam.transforms.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.LabelBits;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.errors.DeadLetterCoder;
import dev.labelbeam.transforms.errors.Reason;
import dev.labelbeam.transforms.errors.ToBadRecords;
import dev.labelbeam.transforms.manifest.ManifestEntry;
import dev.labelbeam.transforms.shards.ImageRecordCoder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.EnumMap;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Reads each manifest entry's image through Beam's {@link FileSystems}, decodes, resizes and
 * re-encodes it with OpenCV ({@link ImageResizer}) and packs its labels against the vocabulary side
 * input. Output {@link #RECORDS}: the shard records; output {@link #DEAD_LETTERS}: entries whose
 * file is missing, empty, too large, truncated, corrupt (a JPEG with damaged compressed data),
 * undecodable or declares too many pixels, or which name a label outside the vocabulary, each with
 * its reason. A Beam counter counts each reason, and
 * {@code decode_resize_encode_micros} the time spent in OpenCV.
 *
 * <pre>{@code
 * PCollectionTuple out = entries.apply(DecodeAndResize.with(vocabularyView)
 *     .withOptions(ImageOptions.defaults().withShorterSide(224).withJpegQuality(95)));
 * }</pre>
 */
@AutoValue
public abstract class DecodeAndResize extends PTransform<PCollection<ManifestEntry>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  public static final TupleTag<ImageRecord> RECORDS = new TupleTag<ImageRecord>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<DeadLetter>() {};

  /** Default maximum file size: 64 MiB. */
  public static final long DEFAULT_MAX_FILE_BYTES = ImageOptions.DEFAULT_MAX_FILE_BYTES;

  /** What to do with a label outside the vocabulary. */
  public enum UnknownLabels {
    /** Dead-letter the image (reason {@code unknown_label}). */
    DEAD_LETTER,
    /** Fail the job, naming the label and the image. */
    FAIL,
    /** Drop the label, keep the image (for vocabularies pruned by count). */
    DROP;

    /** The command line's name: {@code dead-letter}, {@code fail}, {@code drop}. */
    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  abstract PCollectionView<LabelVocabulary> vocabulary();

  /** How images are decoded, resized and encoded. */
  public abstract ImageOptions options();

  /** What happens to a label outside the vocabulary. */
  public abstract UnknownLabels unknownLabels();

  /** Whether the entries are redistributed over the workers before decoding. */
  public abstract boolean reshuffle();

  /** Where the dead letters also go as Beam {@code BadRecord}s ({@link #withBadRecordErrorHandler}), or null. */
  public abstract @Nullable ErrorHandler<BadRecord, ?> badRecordErrorHandler();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setBadRecordErrorHandler(ErrorHandler<BadRecord, ?> h);

    abstract Builder setVocabulary(PCollectionView<LabelVocabulary> v);

    abstract Builder setOptions(ImageOptions o);

    abstract Builder setUnknownLabels(UnknownLabels u);

    abstract Builder setReshuffle(boolean on);

    abstract DecodeAndResize build();
  }

  /** {@link ImageOptions#defaults()} (shorter side to 256, JPEG quality 90), labels packed against {@code vocabulary}. */
  public static DecodeAndResize with(PCollectionView<LabelVocabulary> vocabulary) {
    checkArgument(vocabulary != null, "vocabulary must be a PCollectionView, was null");
    return new AutoValue_DecodeAndResize.Builder().setVocabulary(vocabulary).setOptions(ImageOptions.defaults())
        .setUnknownLabels(UnknownLabels.DEAD_LETTER).setReshuffle(true).build();
  }

  /**
   * All image options at once: resize, output format, JPEG quality, pixel and file size limits,
   * corrupt-JPEG acceptance ({@link ImageOptions}, itself immutable with a {@code withX} per option).
   */
  public DecodeAndResize withOptions(ImageOptions o) {
    checkArgument(o != null, "image options must be set, was null");
    return toBuilder().setOptions(o).build();
  }

  /** What happens to a label outside the vocabulary; default {@link UnknownLabels#DEAD_LETTER}. */
  public DecodeAndResize withUnknownLabels(UnknownLabels policy) {
    checkArgument(policy != null, "unknownLabels must be set, was null");
    return toBuilder().setUnknownLabels(policy).build();
  }

  /**
   * Decodes the entries where they arrive, without redistributing them first. By default a
   * {@code Reshuffle} spreads the decode work, the expensive part, over all workers whatever the
   * parallelism of the manifest's read. In one process (Beam's DirectRunner) there is nothing to spread
   * and every random key becomes a bundle of its own: 3,000 images took 148 s with it, 7.4 s without
   * (2 cores), which is why the command line turns it off there.
   */
  public DecodeAndResize withoutReshuffle() {
    return toBuilder().setReshuffle(false).build();
  }

  /**
   * Also sends each dead letter to {@code handler} as a Beam {@code BadRecord} ({@link ToBadRecords}),
   * beside {@link #DEAD_LETTERS}: Beam's standard error handling.
   */
  public DecodeAndResize withBadRecordErrorHandler(ErrorHandler<BadRecord, ?> handler) {
    checkArgument(handler != null, "handler must be set, was null");
    return toBuilder().setBadRecordErrorHandler(handler).build();
  }

  @Override
  public PCollectionTuple expand(PCollection<ManifestEntry> input) {
    PCollection<ManifestEntry> spread = reshuffle()
        ? input.apply("SpreadOverWorkers", Reshuffle.viaRandomKey())
        : input;
    ImageOptions options = options();
    PCollectionTuple out =
        spread
            .apply(
                "DecodeResizeEncode",
                ParDo.of(new ProcessFn(vocabulary(), options.resizer(), options.maxFileBytes(), unknownLabels()))
                    .withSideInputs(vocabulary())
                    .withOutputTags(RECORDS, TupleTagList.of(DEAD_LETTERS)));
    out.get(RECORDS).setCoder(ImageRecordCoder.of());
    out.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    ToBadRecords.sendTo(badRecordErrorHandler(), out.get(DEAD_LETTERS));
    return out;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    ImageOptions d = ImageOptions.defaults();
    builder.addIfNotDefault(DisplayData.item("resize", options().resize().toString()).withLabel("Resize"),
            d.resize().toString())
        .addIfNotDefault(DisplayData.item("outputFormat", options().outputFormat().name).withLabel("Output format"),
            d.outputFormat().name)
        .addIfNotDefault(DisplayData.item("jpegQuality", options().jpegQuality()).withLabel("JPEG quality"),
            d.jpegQuality())
        .addIfNotDefault(DisplayData.item("maxPixels", options().maxPixels()).withLabel("Max pixels"), d.maxPixels())
        .addIfNotDefault(DisplayData.item("maxFileBytes", options().maxFileBytes()).withLabel("Max file bytes"),
            d.maxFileBytes())
        .addIfNotDefault(DisplayData.item("maxAspectRatio", options().maxAspectRatio()).withLabel("Max aspect ratio"),
            d.maxAspectRatio())
        .addIfNotDefault(DisplayData.item("unknownLabels", unknownLabels().name()).withLabel("Unknown labels"),
            UnknownLabels.DEAD_LETTER.name())
        .addIfNotDefault(DisplayData.item("reshuffle", reshuffle()).withLabel("Reshuffle before decoding"), true)
        .addIfNotDefault(DisplayData.item("acceptCorruptJpeg", options().acceptCorruptJpeg())
            .withLabel("Accept corrupt JPEG data"), false);
  }

  static final class ProcessFn extends DoFn<ManifestEntry, ImageRecord> {
    private static final long serialVersionUID = 1L;
    private final PCollectionView<LabelVocabulary> vocabulary;
    private final ImageResizer resizer;
    private final long maxFileBytes;
    private final UnknownLabels unknownLabels;
    private transient Map<Reason, Counter> counters;
    private final Counter written = Metrics.counter(DecodeAndResize.class, "records_written");
    private final Counter droppedLabels = Metrics.counter(DecodeAndResize.class, "labels_dropped");
    private final Counter micros = Metrics.counter(DecodeAndResize.class, "decode_resize_encode_micros");

    ProcessFn(PCollectionView<LabelVocabulary> vocabulary, ImageResizer resizer, long maxFileBytes, UnknownLabels unknownLabels) {
      this.vocabulary = vocabulary;
      this.resizer = resizer;
      this.maxFileBytes = maxFileBytes;
      this.unknownLabels = unknownLabels;
    }

    @Setup
    public void setup() {
      Loader.load(opencv_imgcodecs.class);
      counters = new EnumMap<>(Reason.class);
      for (Reason r : Reason.values()) {
        counters.put(r, Metrics.counter(DecodeAndResize.class, r.code()));
      }
    }

    @ProcessElement
    public void process(@Element ManifestEntry entry, MultiOutputReceiver out, ProcessContext c) {
      LabelVocabulary vocab = c.sideInput(vocabulary);
      try {
        int[] classes = classes(entry, vocab);
        byte[] bytes = read(entry.path());
        long t0 = System.nanoTime();
        ImageResizer.Resized r = resizer.process(bytes);
        micros.inc((System.nanoTime() - t0) / 1000);
        out.get(RECORDS).output(new ImageRecord(entry.id(), r.bytes, r.format, r.height, r.width,
            LabelBits.pack(classes, vocab.size())));
        written.inc();
      } catch (ImageProcessingException e) {
        counters.get(e.reason()).inc();
        out.get(DEAD_LETTERS).output(new DeadLetter(entry.id(), entry.path(), e.reason(), e.getMessage()));
      }
    }

    private int[] classes(ManifestEntry entry, LabelVocabulary vocab) throws ImageProcessingException {
      int[] classes = new int[entry.labels().size()];
      int n = 0;
      for (String label : entry.labels()) {
        int k = vocab.indexOf(label);
        if (k >= 0) {
          classes[n++] = k;
        } else if (unknownLabels == UnknownLabels.DROP) {
          droppedLabels.inc();
        } else if (unknownLabels == UnknownLabels.FAIL) {
          throw new IllegalStateException("label '" + label + "' of " + entry.id()
              + " is not in the vocabulary (unknown labels are set to fail the job)");
        } else {
          throw new ImageProcessingException(Reason.UNKNOWN_LABEL, "label '" + label + "' is not in the vocabulary");
        }
      }
      return java.util.Arrays.copyOf(classes, n);
    }

    /**
     * Reads a file of at most {@code maxFileBytes}. Local paths are checked with one stat each
     * (Beam's match of a missing local file lists its whole folder): missing, not a regular file
     * (folders, FIFOs that would hang the reader, devices such as a symlink to /dev/zero) and too
     * large are refused before reading; other filesystems are matched as a single resource. The read
     * itself stops one byte past the limit, so a file that grows or a size that lies cannot exhaust
     * memory.
     */
    private byte[] read(String path) throws ImageProcessingException {
      ResourceId file;
      try {
        if (isLocal(path)) {
          java.nio.file.Path local = java.nio.file.Path.of(path.startsWith("file:") ? java.net.URI.create(path).getPath()
              : path);
          if (!java.nio.file.Files.exists(local)) {
            throw new ImageProcessingException(Reason.UNREADABLE_PATH, "cannot open " + path + ": no such file");
          }
          if (!java.nio.file.Files.isRegularFile(local)) {
            throw new ImageProcessingException(Reason.NOT_A_REGULAR_FILE, path + " is not a regular file ("
                + (java.nio.file.Files.isDirectory(local) ? "a folder" : "a device, FIFO or socket") + ")");
          }
          checkSize(java.nio.file.Files.size(local));
          file = FileSystems.matchNewResource(local.toString(), false);
        } else {
          MatchResult.Metadata meta = FileSystems.matchSingleFileSpec(path);
          checkSize(meta.sizeBytes());
          file = meta.resourceId();
        }
      } catch (IOException | IllegalArgumentException e) {
        // an input problem (a missing file, a scheme no filesystem serves, a malformed path); any other
        // exception is a bug and fails the bundle instead of passing for bad data
        throw new ImageProcessingException(Reason.UNREADABLE_PATH, "cannot open " + path + ": " + e.getMessage());
      }
      try (InputStream in = Channels.newInputStream(FileSystems.open(file))) {
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxFileBytes + 1));
        checkSize(bytes.length);
        return bytes;
      } catch (IOException e) {
        throw new ImageProcessingException(Reason.UNREADABLE_PATH, "cannot read " + path + ": " + e);
      }
    }

    private void checkSize(long bytes) throws ImageProcessingException {
      if (bytes > maxFileBytes) {
        throw new ImageProcessingException(Reason.FILE_TOO_LARGE,
            "file is " + (bytes > maxFileBytes + 1 ? bytes + " bytes" : "over " + maxFileBytes + " bytes")
                + ", above the limit of " + maxFileBytes);
      }
    }

    private static boolean isLocal(String path) {
      return !dev.labelbeam.shard.Storage.isUrl(path) || path.startsWith("file:");
    }
  }
}
