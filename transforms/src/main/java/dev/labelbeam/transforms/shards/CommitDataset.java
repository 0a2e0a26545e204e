package dev.labelbeam.transforms.shards;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.shard.ShardDigest;
import dev.labelbeam.transforms.coders.JsonCoders;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * Commits a dataset once everything it lists is written: moves the staged shards and the dead-letter
 * file into the output folder, then writes {@code labels.txt} and, last, {@code dataset.json}
 * ({@link DatasetFiles#commit}). Runs after the shard and dead-letter writes ({@code Wait.on} their
 * file names) on the single {@link DatasetStats} element, and outputs the {@link DatasetInfo} it wrote.
 *
 * <p>Idempotent: a runner that retries it after a partial commit finds the already moved shards in
 * place and finishes the job; an {@link IOException} fails the step (never swallowed). When more
 * than {@code maxBadFraction} of the input records were dead-lettered it writes {@code dataset.json}
 * and the dead letters into {@code refused/}, moves no shard in, leaves a dataset already there
 * untouched, and fails the job with the counts.
 *
 * <p>{@link WriteImageShards} builds and applies it; a pipeline author gets a committed dataset by
 * applying {@code WriteImageShards} (or {@code PreprocessImages}), never a staging folder.
 */
public final class CommitDataset extends PTransform<PCollection<DatasetStats>, PCollection<DatasetInfo>> {
  private static final long serialVersionUID = 1L;

  /**
   * Where and what to commit: the folders, this run's generation and when its graph was built (a dataset
   * committed into the folder after that is another run's, which this one must not replace), the
   * dataset's description and the failure threshold.
   */
  record Target(String outputDir, String stagingDir, String generation, long startedMillis,
      DatasetFiles.Layout layout, double maxBadFraction) implements Serializable {}

  /**
   * What the commit reads when it runs: the vocabulary, the staged shards' names and digests, the dead letters per reason and the
   * input count (counted independently of the outputs; null: records plus dead letters).
   */
  record Views(PCollectionView<LabelVocabulary> vocabulary,
      PCollectionView<Map<String, Iterable<String>>> shardNames, PCollectionView<Map<String, ShardDigest>> digests,
      PCollectionView<Map<String, Long>> deadLetterCounts, PCollectionView<Long> inputCount) implements Serializable {
    List<PCollectionView<?>> all() {
      List<PCollectionView<?>> v = new java.util.ArrayList<>(List.of(vocabulary, shardNames, digests,
          deadLetterCounts));
      if (inputCount != null) {
        v.add(inputCount);
      }
      return v;
    }
  }

  private final Target target;
  private final Views views;
  private final List<PCollection<?>> waitFor;

  CommitDataset(Target target, Views views, List<PCollection<?>> waitFor) {
    this.target = target;
    this.views = views;
    this.waitFor = waitFor;
  }

  @Override
  public PCollection<DatasetInfo> expand(PCollection<DatasetStats> stats) {
    return stats
        .apply("AfterFilesAreWritten", Wait.on(waitFor))
        .apply("MoveInAndWriteDatasetJson", ParDo.of(new CommitFn(target, views)).withSideInputs(views.all()))
        .setCoder(JsonCoders.datasetInfo());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("outputDir", target.outputDir()).withLabel("Output folder"))
        .addIfNotDefault(DisplayData.item("maxBadFraction", target.maxBadFraction()).withLabel("Max bad fraction"), WriteImageShards.DEFAULT_MAX_BAD_FRACTION);
  }

  static final class CommitFn extends DoFn<DatasetStats, DatasetInfo> {
    private static final long serialVersionUID = 1L;
    private final Target target;
    private final Views views;

    CommitFn(Target target, Views views) {
      this.target = target;
      this.views = views;
    }

    @ProcessElement
    public void process(@Element DatasetStats stats, OutputReceiver<DatasetInfo> out, ProcessContext ctx) {
      LabelVocabulary vocab = ctx.sideInput(views.vocabulary());
      Map<String, Long> dead = new TreeMap<>(ctx.sideInput(views.deadLetterCounts()));
      long deadTotal = dead.values().stream().mapToLong(Long::longValue).sum();
      long inputs = views.inputCount() != null
          ? ctx.sideInput(views.inputCount())
          : stats.records().values().stream().mapToLong(Long::longValue).sum() + deadTotal;
      DatasetInfo info = DatasetFiles.info(stats, vocab, target.layout(), ctx.sideInput(views.shardNames()), dead,
          inputs);
      info.digests.putAll(new TreeMap<>(ctx.sideInput(views.digests())));
      info.generation = target.generation();
      String outputDir = target.outputDir();
      try {
        long written = stats.records().values().stream().mapToLong(Long::longValue).sum();
        if (written == 0) {
          DatasetFiles.refuse(outputDir, target.stagingDir(), info);
          throw new IllegalStateException(String.format(Locale.ROOT,
              "no record was written: %s. Nothing was committed and a dataset already in %s is unchanged. See "
                  + "%s/%s/%s", inputs == 0 ? "the input has no records (an empty manifest or folder?)"
                  : "all " + inputs + " input records were dead-lettered " + info.deadLetters, outputDir, outputDir,
              DatasetFiles.REFUSED_DIR, DatasetFiles.DEAD_LETTER_FILE));
        }
        if (inputs > 0 && (double) deadTotal / inputs > target.maxBadFraction()) {
          DatasetFiles.refuse(outputDir, target.stagingDir(), info);
          throw new IllegalStateException(String.format(Locale.ROOT,
              "%d of %d input records (%.2f%%) were dead-lettered %s, more than the allowed %.2f%%; no shards were "
                  + "written and a dataset already in %s is unchanged. See %s/%s/%s", deadTotal, inputs,
              100.0 * deadTotal / inputs, info.deadLetters, 100 * target.maxBadFraction(), outputDir, outputDir,
              DatasetFiles.REFUSED_DIR, DatasetFiles.DEAD_LETTER_FILE));
        }
        DatasetFiles.commit(outputDir, target.stagingDir(), info, vocab, target.startedMillis());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot commit the dataset to " + outputDir + ": " + e.getMessage(), e);
      }
      out.output(info);
    }
  }
}
