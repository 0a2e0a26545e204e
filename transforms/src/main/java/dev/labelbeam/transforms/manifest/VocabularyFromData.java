package dev.labelbeam.transforms.manifest;

import static dev.labelbeam.transforms.Preconditions.checkArgument;

import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.transforms.coders.LabelVocabularyCoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * The label vocabulary of the data: every label name of the entries seen at least
 * {@link #withMinLabelCount minLabelCount} times, sorted, as one {@link LabelVocabulary} element.
 * One combine whose accumulator counts each distinct label (a hash map, so the cost is linear in the
 * labels of the input and the memory in the distinct labels, e.g. 11,000), merged by addition on
 * any runner. Fails with a message when no label is frequent enough.
 *
 * <pre>{@code
 * PCollectionView<LabelVocabulary> vocab = entries
 *     .apply(VocabularyFromData.create().withMinLabelCount(5))
 *     .apply(View.asSingleton());
 * }</pre>
 */
public final class VocabularyFromData extends PTransform<PCollection<ManifestEntry>, PCollection<LabelVocabulary>> {
  private static final long serialVersionUID = 1L;

  private final int minLabelCount;

  private VocabularyFromData(int minLabelCount) {
    this.minLabelCount = minLabelCount;
  }

  /** Every label seen at least once. */
  public static VocabularyFromData create() {
    return new VocabularyFromData(1);
  }

  /** Keeps labels seen at least {@code count} times (>= 1; default 1); the images keep only those. */
  public VocabularyFromData withMinLabelCount(int count) {
    checkArgument(count >= 1, "minLabelCount must be >= 1, was %s", count);
    return new VocabularyFromData(count);
  }

  /** The minimum number of occurrences of a kept label. */
  public int minLabelCount() {
    return minLabelCount;
  }

  @Override
  public PCollection<LabelVocabulary> expand(PCollection<ManifestEntry> entries) {
    // one entry without labels joins the input, so that a manifest of which no line parsed still reaches
    // extractOutput and fails with its message (not with "Empty PCollection accessed as a singleton view")
    PCollection<ManifestEntry> none = entries.getPipeline()
        .apply("NoLabels", Create.of(new ManifestEntry("", "", List.of())).withCoder(ManifestEntryCoder.of()));
    return PCollectionList.of(entries).and(none)
        .apply("EntriesAndNone", Flatten.pCollections())
        .apply("CountLabels", Combine.globally(new LabelCountsFn(minLabelCount)).withoutDefaults())
        .setCoder(LabelVocabularyCoder.of());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.addIfNotDefault(DisplayData.item("minLabelCount", minLabelCount).withLabel("Minimum label count"), 1);
  }

  /** Counts each label; the output keeps the frequent ones, sorted. */
  static final class LabelCountsFn extends Combine.CombineFn<ManifestEntry, Map<String, Long>, LabelVocabulary> {
    private static final long serialVersionUID = 1L;
    private final int minLabelCount;

    LabelCountsFn(int minLabelCount) {
      this.minLabelCount = minLabelCount;
    }

    @Override
    public Map<String, Long> createAccumulator() {
      return new HashMap<>();
    }

    @Override
    public Map<String, Long> addInput(Map<String, Long> acc, ManifestEntry entry) {
      for (String label : entry.labels()) {
        acc.merge(label, 1L, Long::sum);
      }
      return acc;
    }

    @Override
    public Map<String, Long> mergeAccumulators(Iterable<Map<String, Long>> accs) {
      Map<String, Long> out = new HashMap<>();
      for (Map<String, Long> a : accs) {
        a.forEach((k, v) -> out.merge(k, v, Long::sum));
      }
      return out;
    }

    @Override
    public LabelVocabulary extractOutput(Map<String, Long> acc) {
      List<String> kept = new ArrayList<>();
      acc.forEach((label, n) -> {
        if (n >= minLabelCount) {
          kept.add(label);
        }
      });
      if (kept.isEmpty()) {
        throw new IllegalStateException(acc.isEmpty()
            ? "no manifest entry carries a label, so there is no vocabulary to build: either no manifest line parsed "
                + "(a CSV manifest is path,labels with labels separated by |; JSON Lines {\"image\": ..., \"labels\": "
                + "[...]}) or the images have no labels. Give the labels with --labels (withVocabulary)"
            : "no label occurs at least " + minLabelCount + " times (minLabelCount); lower it or give a vocabulary");
      }
      kept.sort(null);
      return new LabelVocabulary(kept);
    }

    @Override
    public Coder<Map<String, Long>> getAccumulatorCoder(CoderRegistry registry, Coder<ManifestEntry> in) {
      return MapCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
    }
  }
}
