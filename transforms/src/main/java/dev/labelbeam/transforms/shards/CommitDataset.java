package dev.labelbeam.transforms.shards;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.shard.ShardDigest;
import dev.labelbeam.transforms.coders.DatasetInfoCoder;
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
   * Where and what to commit: the folders, this run's generation and the one it found in the folder
   * when it started (null: none), the dataset's description and the failure threshold.
   */
  record Target(String outputDir, String stagingDir, String generation, String previousGeneration,
      DatasetFiles.Layout layout, double maxBadFraction) implements Serializable {}

  private final Target target;
  private final PCollectionView<LabelVocabulary> vocabulary;
  private final PCollectionView<Map<String, Iterable<String>>> shardNames;
  private final PCollectionView<Map<String, ShardDigest>> digests;
  private final PCollectionView<Map<String, Long>> deadLetterCounts;
  /** Counted independently of the outputs; null: records plus dead letters. */
  private final PCollectionView<Long> inputCount;
  private final List<PCollection<?>> waitFor;

  CommitDataset(Target target, PCollectionView<LabelVocabulary> vocabulary,
      PCollectionView<Map<String, Iterable<String>>> shardNames, PCollectionView<Map<String, ShardDigest>> digests,
      PCollectionView<Map<String, Long>> deadLetterCounts, PCollectionView<Long> inputCount,
      List<PCollection<?>> waitFor) {
    this.target = target;
    this.vocabulary = vocabulary;
    this.shardNames = shardNames;
    this.digests = digests;
    this.deadLetterCounts = deadLetterCounts;
    this.inputCount = inputCount;
    this.waitFor = waitFor;
  }

  @Override
  public PCollection<DatasetInfo> expand(PCollection<DatasetStats> stats) {
    ParDo.SingleOutput<DatasetStats, DatasetInfo> commit = ParDo.of(new CommitFn(target, vocabulary, shardNames,
        digests, deadLetterCounts, inputCount));
    commit = inputCount == null
        ? commit.withSideInputs(vocabulary, shardNames, digests, deadLetterCounts)
        : commit.withSideInputs(vocabulary, shardNames, digests, deadLetterCounts, inputCount);
    return stats
        .apply("AfterFilesAreWritten", Wait.on(waitFor))
        .apply("MoveInAndWriteDatasetJson", commit)
        .setCoder(DatasetInfoCoder.of());
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
    private final PCollectionView<LabelVocabulary> vocabulary;
    private final PCollectionView<Map<String, Iterable<String>>> shardNames;
    private final PCollectionView<Map<String, ShardDigest>> digests;
    private final PCollectionView<Map<String, Long>> deadLetterCounts;
    private final PCollectionView<Long> inputCount;

    CommitFn(Target target, PCollectionView<LabelVocabulary> vocabulary,
        PCollectionView<Map<String, Iterable<String>>> shardNames, PCollectionView<Map<String, ShardDigest>> digests,
        PCollectionView<Map<String, Long>> deadLetterCounts, PCollectionView<Long> inputCount) {
      this.target = target;
      this.vocabulary = vocabulary;
      this.shardNames = shardNames;
      this.digests = digests;
      this.deadLetterCounts = deadLetterCounts;
      this.inputCount = inputCount;
    }

    @ProcessElement
    public void process(@Element DatasetStats stats, OutputReceiver<DatasetInfo> out, ProcessContext ctx) {
      LabelVocabulary vocab = ctx.sideInput(vocabulary);
      Map<String, Long> dead = new TreeMap<>(ctx.sideInput(deadLetterCounts));
      long deadTotal = dead.values().stream().mapToLong(Long::longValue).sum();
      long inputs = inputCount != null
          ? ctx.sideInput(inputCount)
          : stats.records().values().stream().mapToLong(Long::longValue).sum() + deadTotal;
      DatasetInfo info = DatasetFiles.info(stats, vocab, target.layout(), ctx.sideInput(shardNames), dead, inputs);
      info.digests.putAll(new TreeMap<>(ctx.sideInput(digests)));
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
        DatasetFiles.commit(outputDir, target.stagingDir(), info, vocab, target.previousGeneration());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot commit the dataset to " + outputDir + ": " + e.getMessage(), e);
      }
      out.output(info);
    }
  }
}
