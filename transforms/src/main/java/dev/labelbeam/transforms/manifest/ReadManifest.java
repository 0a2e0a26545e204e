package dev.labelbeam.transforms.manifest;

import static dev.labelbeam.transforms.Preconditions.checkArgument;

import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.errors.DeadLetterCoder;
import dev.labelbeam.transforms.errors.Reason;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Reads a CSV manifest ({@code path,labels}, labels separated by {@code |}) from any Beam
 * filesystem. Output {@link #ENTRIES}: one {@link ManifestEntry} per data line; output
 * {@link #DEAD_LETTERS}: lines that cannot be parsed, with the reason.
 *
 * <pre>{@code
 * PCollectionTuple m = p.apply(ReadManifest.csv("/data/manifest.csv"));
 * PCollection<ManifestEntry> entries = m.get(ReadManifest.ENTRIES);
 * }</pre>
 */
public final class ReadManifest extends PTransform<PBegin, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  public static final TupleTag<ManifestEntry> ENTRIES = new TupleTag<ManifestEntry>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<DeadLetter>() {};

  private final String manifest;

  private ReadManifest(String manifest) {
    this.manifest = manifest;
  }

  /** A CSV manifest; relative image paths are relative to the manifest's folder. */
  public static ReadManifest csv(String manifest) {
    checkArgument(manifest != null && !manifest.isEmpty(), "manifest must be a path, was '%s'", manifest);
    return new ReadManifest(manifest);
  }

  @Override
  public PCollectionTuple expand(PBegin input) {
    int slash = manifest.lastIndexOf('/');
    String baseDir = slash < 0 ? "" : manifest.substring(0, slash + 1);
    PCollectionTuple out =
        input
            .apply("ReadLines", TextIO.read().from(manifest))
            .apply(
                "ParseLines",
                ParDo.of(new ParseFn(new CsvManifestParser(baseDir)))
                    .withOutputTags(ENTRIES, TupleTagList.of(DEAD_LETTERS)));
    out.get(ENTRIES).setCoder(SerializableCoder.of(ManifestEntry.class));
    out.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    return out;
  }

  static final class ParseFn extends DoFn<String, ManifestEntry> {
    private static final long serialVersionUID = 1L;
    private final CsvManifestParser parser;
    private final Counter bad = Metrics.counter(ReadManifest.class, Reason.BAD_MANIFEST_LINE.code());

    ParseFn(CsvManifestParser parser) {
      this.parser = parser;
    }

    @ProcessElement
    public void process(@Element String line, MultiOutputReceiver out) {
      if (CsvManifestParser.isSkippable(line)) {
        return;
      }
      try {
        out.get(ENTRIES).output(parser.parse(line));
      } catch (IllegalArgumentException e) {
        bad.inc();
        out.get(DEAD_LETTERS).output(new DeadLetter("", "", Reason.BAD_MANIFEST_LINE, e.getMessage()));
      }
    }
  }
}
