package dev.labelbeam.transforms.manifest;

import static dev.labelbeam.transforms.Preconditions.checkArgument;

import com.google.auto.value.AutoValue;
import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.errors.DeadLetterCoder;
import dev.labelbeam.transforms.errors.Reason;
import dev.labelbeam.transforms.errors.ToBadRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Reads a manifest from any Beam filesystem: CSV ({@code path,labels}, labels separated by
 * {@code |}) or JSON Lines ({@code {"image": "...", "labels": [...]}}). Image paths are relative to
 * the manifest's folder or absolute (or URLs of a Beam filesystem such as {@code gs://}). Output
 * {@link #ENTRIES}: one {@link ManifestEntry} per data line; output {@link #DEAD_LETTERS}: lines that
 * cannot be parsed, with the reason.
 *
 * <pre>{@code
 * PCollectionTuple m = p.apply(ReadManifest.from("gs://bucket/manifest.jsonl"));
 * PCollection<ManifestEntry> entries = m.get(ReadManifest.ENTRIES);
 * }</pre>
 */
@AutoValue
public abstract class ReadManifest extends PTransform<PBegin, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  public static final TupleTag<ManifestEntry> ENTRIES = new TupleTag<ManifestEntry>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<DeadLetter>() {};

  /** Manifest formats. */
  public enum Format {
    CSV,
    JSONL
  }

  /** The manifest: a file or glob on any Beam filesystem. */
  public abstract String manifest();

  /** How its lines are parsed. */
  public abstract Format format();

  /** Where the dead letters also go as Beam {@code BadRecord}s, or null. */
  public abstract @Nullable ErrorHandler<BadRecord, ?> badRecordErrorHandler();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setManifest(String m);

    abstract Builder setFormat(Format f);

    abstract Builder setBadRecordErrorHandler(ErrorHandler<BadRecord, ?> h);

    abstract ReadManifest build();
  }

  /**
   * A manifest, its format by extension ({@link #formatOf}: {@code .jsonl}, {@code .json} or
   * {@code .ndjson}, optionally gzipped, are JSON Lines, the rest CSV) unless {@link #withFormat} says.
   */
  public static ReadManifest from(String manifest) {
    checkArgument(manifest != null && !manifest.isEmpty(), "manifest must be a path, was '%s'", manifest);
    return new AutoValue_ReadManifest.Builder().setManifest(manifest).setFormat(formatOf(manifest)).build();
  }

  /** The format of the lines, whatever the file's name says. */
  public ReadManifest withFormat(Format f) {
    checkArgument(f != null, "format must be set, was %s", f);
    return toBuilder().setFormat(f).build();
  }

  /** Also sends the unparsable lines to {@code handler} as Beam {@code BadRecord}s, beside {@link #DEAD_LETTERS}. */
  public ReadManifest withBadRecordErrorHandler(ErrorHandler<BadRecord, ?> handler) {
    checkArgument(handler != null, "handler must be set, was %s", handler);
    return toBuilder().setBadRecordErrorHandler(handler).build();
  }

  /** The format a manifest's name implies. */
  public static Format formatOf(String manifest) {
    String n = manifest.toLowerCase(Locale.ROOT).replaceAll("\\.(gz|bz2|zst|deflate)$", "");
    return n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson") ? Format.JSONL : Format.CSV;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("manifest", manifest()).withLabel("Manifest"))
        .add(DisplayData.item("format", format().name().toLowerCase(Locale.ROOT)).withLabel("Format"));
  }

  @Override
  public PCollectionTuple expand(PBegin input) {
    String manifest = manifest();
    int slash = manifest.lastIndexOf('/');
    String baseDir = slash < 0 ? "" : manifest.substring(0, slash + 1);
    ManifestParser parser = format() == Format.CSV
        ? new CsvManifestParser(baseDir, CsvManifestParser.Columns.ofHeader(firstLine(manifest)))
        : new JsonlManifestParser(baseDir);
    PCollectionTuple out =
        input
            .apply("ReadLines", TextIO.read().from(manifest))
            .apply("ParseLines", ParDo.of(new ParseFn(parser)).withOutputTags(ENTRIES, TupleTagList.of(DEAD_LETTERS)));
    out.get(ENTRIES).setCoder(ManifestEntryCoder.of());
    out.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    ToBadRecords.sendTo(badRecordErrorHandler(), out.get(DEAD_LETTERS));
    return out;
  }


  /**
   * The first line of the first file the manifest names (its header, if any), read when the
   * pipeline is built; a manifest that matches no file fails here with what to do.
   */
  static String firstLine(String manifest) {
    try {
      List<MatchResult.Metadata> files = FileSystems.match(manifest, EmptyMatchTreatment.ALLOW).metadata();
      if (files.isEmpty()) {
        throw new IllegalArgumentException("the manifest " + manifest + " (--manifest) matches no file. Check the "
            + "path; a glob must be quoted ('data/*.csv') so that the shell does not expand it");
      }
      ResourceId first = files.stream().map(MatchResult.Metadata::resourceId)
          .min(java.util.Comparator.comparing(ResourceId::toString)).orElseThrow();
      try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
          Channels.newInputStream(Compression.detect(first.getFilename()).readDecompressed(FileSystems.open(first))),
          StandardCharsets.UTF_8))) {
        String line = r.readLine();
        return line == null ? "" : line;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the manifest " + manifest + ": " + e.getMessage(), e);
    }
  }

  static final class ParseFn extends DoFn<String, ManifestEntry> {
    private static final long serialVersionUID = 1L;
    private final ManifestParser parser;
    private final Counter bad = Metrics.counter(ReadManifest.class, Reason.BAD_MANIFEST_LINE.code());

    ParseFn(ManifestParser parser) {
      this.parser = parser;
    }

    @ProcessElement
    public void process(@Element String line, MultiOutputReceiver out) {
      if (parser.isSkippable(line)) {
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
