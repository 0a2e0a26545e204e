package dev.labelbeam.transforms.evaluation;

import com.google.auto.value.AutoValue;
import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.errors.DeadLetterCoder;
import dev.labelbeam.transforms.errors.Reason;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Reads the predictions of any model (PyTorch, TensorFlow, an earlier run) from JSON Lines or CSV
 * files (see {@link PredictionLines}; the format by extension, {@code .csv} or else JSON Lines, on any
 * Beam filesystem) as {@link ScoredExample}s for {@link EvaluateMultiLabel}. Output {@link #SCORED}:
 * one example per usable line; output {@link #DEAD_LETTERS}: every other line with its reason
 * ({@code bad_prediction_line}, {@code wrong_score_count}, {@code unknown_label}, {@code duplicate_id}:
 * of lines sharing an id, the first by file name and line number is kept), so lines = scored + dead
 * letters. Duplicates are found on the ids alone, so the scores never cross a shuffle for it.
 *
 * <pre>{@code
 * PCollectionTuple p = pipeline.apply(ReadPredictions.from("gs://b/preds/*.jsonl").withLabels(labels));
 * p.get(ReadPredictions.SCORED).apply(EvaluateMultiLabel.create().withNumClasses(labels.size()).withOptions(MetricsOptions.defaults()));
 * }</pre>
 */
@AutoValue
public abstract class ReadPredictions extends PTransform<PBegin, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  public static final TupleTag<ScoredExample> SCORED = new TupleTag<ScoredExample>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<DeadLetter>() {};
  /** The counter of lines read (blank lines and CSV headers aside). */
  public static final String LINES_READ = "prediction_lines";

  private static final TupleTag<KV<String, ScoredExample>> PARSED = new TupleTag<KV<String, ScoredExample>>() {};
  private static final TupleTag<KV<String, String>> IDS = new TupleTag<KV<String, String>>() {};

  /** The predictions: a file or glob on any Beam filesystem. */
  public abstract String files();

  /** The classes, in the order of the scores; null until {@link #withLabels}. */
  public abstract @Nullable List<String> labels();

  /** Where the dead letters also go as Beam {@code BadRecord}s, or null. */
  public abstract @Nullable ErrorHandler<BadRecord, ?> badRecordErrorHandler();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setFiles(String f);

    abstract Builder setLabels(List<String> l);

    abstract Builder setBadRecordErrorHandler(ErrorHandler<BadRecord, ?> h);

    abstract ReadPredictions build();
  }

  /** The predictions in {@code filesOrGlob}; set the classes with {@link #withLabels}. */
  public static ReadPredictions from(String filesOrGlob) {
    if (filesOrGlob == null || filesOrGlob.isEmpty()) {
      throw new IllegalArgumentException("predictions must be a file or glob, was '" + filesOrGlob + "'");
    }
    return new AutoValue_ReadPredictions.Builder().setFiles(filesOrGlob).build();
  }

  /** The classes, in the order of the scores (labels.txt). Required. */
  public ReadPredictions withLabels(List<String> classes) {
    if (classes == null || classes.isEmpty()) {
      throw new IllegalArgumentException("labels must name at least one class, was " + classes);
    }
    return toBuilder().setLabels(List.copyOf(classes)).build();
  }

  /** Also sends each unusable line to {@code handler} as a Beam {@code BadRecord}, beside {@link #DEAD_LETTERS}. */
  public ReadPredictions withBadRecordErrorHandler(ErrorHandler<BadRecord, ?> handler) {
    if (handler == null) {
      throw new IllegalArgumentException("handler must be set, was null");
    }
    return toBuilder().setBadRecordErrorHandler(handler).build();
  }

  @Override
  public PCollectionTuple expand(PBegin input) {
    List<String> labels = labels();
    String files = files();
    if (labels == null) {
      throw new IllegalStateException("ReadPredictions needs the classes: withLabels(labels.txt's names)");
    }
    PCollectionTuple lines = input
        .apply("MatchPredictions", FileIO.match().filepattern(files))
        .apply("OpenPredictions", FileIO.readMatches())
        .apply("ParseLines", ParDo.of(new ParseFn(labels)).withOutputTags(PARSED, TupleTagList.of(List.of(IDS,
            DEAD_LETTERS))));
    lines.get(PARSED).setCoder(KvCoder.of(StringUtf8Coder.of(), ScoredExampleCoder.of()));
    lines.get(IDS).setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    lines.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    // ids seen more than once, with the position of the line to keep (the first by file and line)
    PCollectionView<Map<String, String>> keep = lines.get(IDS)
        .apply("IdCounts", Combine.perKey(new FirstAndCount()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), KvCoder.of(StringUtf8Coder.of(),
            org.apache.beam.sdk.coders.VarLongCoder.of())))
        .apply("Duplicated", Filter.by(kv -> kv.getValue().getValue() > 1))
        .apply("KeepFirst", org.apache.beam.sdk.transforms.MapElements
            .into(org.apache.beam.sdk.values.TypeDescriptors.kvs(org.apache.beam.sdk.values.TypeDescriptors.strings(),
                org.apache.beam.sdk.values.TypeDescriptors.strings()))
            .via(kv -> KV.of(kv.getKey(), kv.getValue().getKey())))
        .apply("DuplicatesView", View.asMap());
    PCollectionTuple deduped = lines.get(PARSED)
        .apply("DropDuplicateIds", ParDo.of(new DedupFn(keep)).withSideInputs(keep)
            .withOutputTags(SCORED, TupleTagList.of(DEAD_LETTERS)));
    deduped.get(SCORED).setCoder(ScoredExampleCoder.of());
    deduped.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    PCollection<DeadLetter> dead = PCollectionList.of(lines.get(DEAD_LETTERS)).and(deduped.get(DEAD_LETTERS))
        .apply("AllDeadLetters", org.apache.beam.sdk.transforms.Flatten.pCollections());
    dev.labelbeam.transforms.errors.ToBadRecords.sendTo(badRecordErrorHandler(), dead);
    return PCollectionTuple.of(SCORED, deduped.get(SCORED)).and(DEAD_LETTERS, dead);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("predictions", files()).withLabel("Predictions"))
        .addIfNotNull(DisplayData.item("classes", labels() == null ? null : (long) labels().size()).withLabel("Classes"));
  }

  /** A line's position: file, then zero-padded line number, so that positions sort in file order. */
  static String position(String file, long line) {
    return file + "#" + String.format("%012d", line);
  }

  /** Reads one file's lines: parsed examples keyed by position, their ids, and dead letters. */
  static final class ParseFn extends DoFn<FileIO.ReadableFile, KV<String, ScoredExample>> {
    private static final long serialVersionUID = 1L;
    private final List<String> labels;
    private final Counter read = Metrics.counter(ReadPredictions.class, LINES_READ);

    ParseFn(List<String> labels) {
      this.labels = labels;
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, MultiOutputReceiver out) throws IOException {
      String path = file.getMetadata().resourceId().toString();
      PredictionLines parser = PredictionLines.forFile(file.getMetadata().resourceId().getFilename(), labels);
      try (BufferedReader r = new BufferedReader(new InputStreamReader(Channels.newInputStream(file.open()),
          StandardCharsets.UTF_8))) {
        long n = 0;
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          n++;
          if (parser.isBlank(line) || (n == 1 && parser.isHeader(line))) {
            continue;
          }
          read.inc();
          String at = position(path, n);
          try {
            ScoredExample e = parser.parse(line);
            out.get(PARSED).output(KV.of(at, e));
            out.get(IDS).output(KV.of(e.id, at));
          } catch (PredictionLines.Problem p) {
            Metrics.counter(ReadPredictions.class, p.reason().code()).inc();
            out.get(DEAD_LETTERS).output(new DeadLetter(p.id(), path + ":" + n, p.reason(), p.getMessage()));
          }
        }
      }
    }
  }

  /** Of an id's positions: the first (smallest) and how many there are. */
  static final class FirstAndCount extends Combine.CombineFn<String, KV<String, Long>, KV<String, Long>> {
    private static final long serialVersionUID = 1L;

    @Override
    public KV<String, Long> createAccumulator() {
      return KV.of(null, 0L);
    }

    @Override
    public KV<String, Long> addInput(KV<String, Long> acc, String position) {
      String first = acc.getKey() == null || position.compareTo(acc.getKey()) < 0 ? position : acc.getKey();
      return KV.of(first, acc.getValue() + 1);
    }

    @Override
    public KV<String, Long> mergeAccumulators(Iterable<KV<String, Long>> accs) {
      KV<String, Long> m = createAccumulator();
      for (KV<String, Long> a : accs) {
        if (a.getKey() != null) {
          String first = m.getKey() == null || a.getKey().compareTo(m.getKey()) < 0 ? a.getKey() : m.getKey();
          m = KV.of(first, m.getValue() + a.getValue());
        }
      }
      return m;
    }

    @Override
    public KV<String, Long> extractOutput(KV<String, Long> acc) {
      return acc;
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<KV<String, Long>> getAccumulatorCoder(
        org.apache.beam.sdk.coders.CoderRegistry registry, org.apache.beam.sdk.coders.Coder<String> input) {
      return KvCoder.of(org.apache.beam.sdk.coders.NullableCoder.of(StringUtf8Coder.of()),
          org.apache.beam.sdk.coders.VarLongCoder.of());
    }
  }

  /** Keeps an example unless its id is duplicated and its line is not the first of them. */
  static final class DedupFn extends DoFn<KV<String, ScoredExample>, ScoredExample> {
    private static final long serialVersionUID = 1L;
    private final PCollectionView<Map<String, String>> keep;
    private final Counter duplicates = Metrics.counter(ReadPredictions.class, Reason.DUPLICATE_ID.code());

    DedupFn(PCollectionView<Map<String, String>> keep) {
      this.keep = keep;
    }

    @ProcessElement
    public void process(@Element KV<String, ScoredExample> e, MultiOutputReceiver out, ProcessContext c) {
      String first = c.sideInput(keep).get(e.getValue().id);
      if (first == null || first.equals(e.getKey())) {
        out.get(SCORED).output(e.getValue());
      } else {
        duplicates.inc();
        int hash = e.getKey().lastIndexOf('#');
        out.get(DEAD_LETTERS).output(new DeadLetter(e.getValue().id, e.getKey().substring(0, hash) + ":"
            + Long.parseLong(e.getKey().substring(hash + 1)), Reason.DUPLICATE_ID,
            "the id appears again; the line kept is " + first));
      }
    }
  }
}
