package dev.labelbeam.transforms.manifest;

import static dev.labelbeam.transforms.Preconditions.checkArgument;

import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.errors.DeadLetterCoder;
import dev.labelbeam.transforms.errors.Reason;
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
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

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
public final class ReadManifest extends PTransform<PBegin, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  public static final TupleTag<ManifestEntry> ENTRIES = new TupleTag<ManifestEntry>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<DeadLetter>() {};

  /** Manifest formats. */
  public enum Format {
    CSV,
    JSONL
  }

  private final String manifest;
  private final Format format;

  private ReadManifest(String manifest, Format format) {
    this.manifest = manifest;
    this.format = format;
  }

  /** A CSV manifest. */
  public static ReadManifest csv(String manifest) {
    return new ReadManifest(check(manifest), Format.CSV);
  }

  /** A JSON Lines manifest. */
  public static ReadManifest jsonl(String manifest) {
    return new ReadManifest(check(manifest), Format.JSONL);
  }

  /** The format by extension: {@code .jsonl}, {@code .json} or {@code .ndjson} (optionally gzipped) are JSON Lines, the rest CSV. */
  public static ReadManifest from(String manifest) {
    return new ReadManifest(check(manifest), formatOf(manifest));
  }

  /** The format a manifest's name implies. */
  public static Format formatOf(String manifest) {
    String n = manifest.toLowerCase(Locale.ROOT).replaceAll("\\.(gz|bz2|zst|deflate)$", "");
    return n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson") ? Format.JSONL : Format.CSV;
  }

  private static String check(String manifest) {
    checkArgument(manifest != null && !manifest.isEmpty(), "manifest must be a path, was '%s'", manifest);
    return manifest;
  }

  public Format format() {
    return format;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("manifest", manifest).withLabel("Manifest"))
        .add(DisplayData.item("format", format.name().toLowerCase(Locale.ROOT)).withLabel("Format"));
  }

  @Override
  public PCollectionTuple expand(PBegin input) {
    int slash = manifest.lastIndexOf('/');
    String baseDir = slash < 0 ? "" : manifest.substring(0, slash + 1);
    ManifestParser parser = format == Format.CSV
        ? new CsvManifestParser(baseDir, CsvManifestParser.Columns.ofHeader(firstLine(manifest)))
        : new JsonlManifestParser(baseDir);
    PCollectionTuple out =
        input
            .apply("ReadLines", TextIO.read().from(manifest))
            .apply("ParseLines", ParDo.of(new ParseFn(parser)).withOutputTags(ENTRIES, TupleTagList.of(DEAD_LETTERS)));
    out.get(ENTRIES).setCoder(ManifestEntryCoder.of());
    out.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());
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
