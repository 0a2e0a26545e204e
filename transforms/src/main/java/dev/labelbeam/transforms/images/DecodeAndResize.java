package dev.labelbeam.transforms.images;

import static dev.labelbeam.transforms.Preconditions.checkArgument;

import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.LabelBits;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.errors.DeadLetterCoder;
import dev.labelbeam.transforms.errors.Reason;
import dev.labelbeam.transforms.manifest.ManifestEntry;
import dev.labelbeam.transforms.shards.ImageRecordCoder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.EnumMap;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.global.opencv_imgcodecs;

/**
 * Reads each manifest entry's image through Beam's {@link FileSystems}, decodes and resizes it with
 * OpenCV ({@link ImageResizer}), re-encodes it as JPEG and packs its labels against the vocabulary
 * side input. Output {@link #RECORDS}: the shard records; output {@link #DEAD_LETTERS}: entries
 * whose file is missing, empty, undecodable or too large, or which name a label outside the
 * vocabulary, each with its reason. A Beam counter counts each reason.
 */
public final class DecodeAndResize extends PTransform<PCollection<ManifestEntry>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  public static final TupleTag<ImageRecord> RECORDS = new TupleTag<ImageRecord>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<DeadLetter>() {};

  /** Files larger than this are dead-lettered without being read. */
  public static final long DEFAULT_MAX_FILE_BYTES = 64L << 20;

  private final PCollectionView<LabelVocabulary> vocabulary;
  private final int shorterSide;
  private final int jpegQuality;

  private DecodeAndResize(PCollectionView<LabelVocabulary> vocabulary, int shorterSide, int jpegQuality) {
    this.vocabulary = vocabulary;
    this.shorterSide = shorterSide;
    this.jpegQuality = jpegQuality;
  }

  /** Resizes the shorter side to 256 with JPEG quality 90; labels packed against {@code vocabulary}. */
  public static DecodeAndResize with(PCollectionView<LabelVocabulary> vocabulary) {
    checkArgument(vocabulary != null, "vocabulary must be a PCollectionView, was null");
    return new DecodeAndResize(vocabulary, 256, 90);
  }

  /** Target length of the shorter side, aspect kept; in [8, 8192]. */
  public DecodeAndResize withShorterSide(int pixels) {
    checkArgument(pixels >= 8 && pixels <= 8192, "shorterSide must be in [8, 8192], was %s", pixels);
    return new DecodeAndResize(vocabulary, pixels, jpegQuality);
  }

  /** JPEG quality of the re-encoded image; in [1, 100]. */
  public DecodeAndResize withJpegQuality(int quality) {
    checkArgument(quality >= 1 && quality <= 100, "jpegQuality must be in [1, 100], was %s", quality);
    return new DecodeAndResize(vocabulary, shorterSide, quality);
  }

  @Override
  public PCollectionTuple expand(PCollection<ManifestEntry> input) {
    PCollectionTuple out =
        input.apply(
            "DecodeResizeEncode",
            ParDo.of(new ProcessFn(vocabulary, new ImageResizer(shorterSide, jpegQuality)))
                .withSideInputs(vocabulary)
                .withOutputTags(RECORDS, TupleTagList.of(DEAD_LETTERS)));
    out.get(RECORDS).setCoder(ImageRecordCoder.of());
    out.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    return out;
  }

  static final class ProcessFn extends DoFn<ManifestEntry, ImageRecord> {
    private static final long serialVersionUID = 1L;
    private final PCollectionView<LabelVocabulary> vocabulary;
    private final ImageResizer resizer;
    private transient Map<Reason, Counter> counters;
    private final Counter written = Metrics.counter(DecodeAndResize.class, "records_written");

    ProcessFn(PCollectionView<LabelVocabulary> vocabulary, ImageResizer resizer) {
      this.vocabulary = vocabulary;
      this.resizer = resizer;
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
        int[] classes = new int[entry.labels().size()];
        for (int i = 0; i < classes.length; i++) {
          String label = entry.labels().get(i);
          classes[i] = vocab.indexOf(label);
          if (classes[i] < 0) {
            throw new ImageProcessingException(Reason.UNKNOWN_LABEL, "label '" + label + "' is not in the vocabulary");
          }
        }
        byte[] bytes = read(entry.path());
        ImageResizer.Resized r = resizer.process(bytes);
        out.get(RECORDS)
            .output(new ImageRecord(entry.id(), r.jpeg, "jpeg", r.height, r.width, LabelBits.pack(classes, vocab.size())));
        written.inc();
      } catch (ImageProcessingException e) {
        counters.get(e.reason()).inc();
        out.get(DEAD_LETTERS).output(new DeadLetter(entry.id(), entry.path(), e.reason(), e.getMessage()));
      }
    }

    private static byte[] read(String path) throws ImageProcessingException {
      try {
        MatchResult.Metadata meta = FileSystems.matchSingleFileSpec(path);
        if (meta.sizeBytes() > DEFAULT_MAX_FILE_BYTES) {
          throw new ImageProcessingException(
              Reason.TOO_LARGE, "file is " + meta.sizeBytes() + " bytes, above " + DEFAULT_MAX_FILE_BYTES);
        }
        try (InputStream in = Channels.newInputStream(FileSystems.open(meta.resourceId()))) {
          return in.readAllBytes();
        }
      } catch (IOException | RuntimeException e) {
        throw new ImageProcessingException(Reason.UNREADABLE_PATH, "cannot read " + path + ": " + e);
      }
    }
  }
}
