package dev.labelbeam.transforms.manifest;

import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.errors.DeadLetterCoder;
import dev.labelbeam.transforms.errors.Reason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Keeps one manifest entry per id. Of entries sharing an id, the first by (path, labels) is kept —
 * the same one on every run and runner — and the others go to {@link #DEAD_LETTERS} with reason
 * {@code duplicate_id}.
 */
public final class DeduplicateIds extends PTransform<PCollection<ManifestEntry>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  public static final TupleTag<ManifestEntry> UNIQUE = new TupleTag<ManifestEntry>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<DeadLetter>() {};

  public static DeduplicateIds create() {
    return new DeduplicateIds();
  }

  /**
   * Only ids seen more than once are grouped: the ids are counted, the repeated ones become a side
   * input, and the entries split on it. The (usually few) repeated entries go through a
   * {@code GroupByKey}; the rest pass on in their original bundles.
   */
  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("keeps", "the first entry of an id by (path, labels); the others dead-lettered as "
        + "duplicate_id").withLabel("Of entries sharing an id"));
  }

  @Override
  public PCollectionTuple expand(PCollection<ManifestEntry> input) {
    PCollectionView<Map<String, Long>> repeated = input
        .apply("Ids", MapElements.into(TypeDescriptors.strings()).via(ManifestEntry::id))
        .apply("CountIds", Count.perElement())
        .apply("RepeatedIds", Filter.by(kv -> kv.getValue() > 1))
        .apply("RepeatedIdsView", View.asMap());
    PCollectionTuple split = input.apply("SplitRepeated",
        ParDo.of(new SplitFn(repeated)).withSideInputs(repeated).withOutputTags(SINGLE, TupleTagList.of(REPEATED)));
    split.get(SINGLE).setCoder(ManifestEntryCoder.of());
    PCollectionTuple grouped = split.get(REPEATED)
        .setCoder(ManifestEntryCoder.of())
        .apply("KeyById", WithKeys.of(ManifestEntry::id).withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), ManifestEntryCoder.of()))
        .apply("GroupById", GroupByKey.create())
        .apply("KeepFirst", ParDo.of(new KeepFirstFn()).withOutputTags(UNIQUE, TupleTagList.of(DEAD_LETTERS)));
    PCollection<ManifestEntry> unique = PCollectionList.of(split.get(SINGLE))
        .and(grouped.get(UNIQUE).setCoder(ManifestEntryCoder.of()))
        .apply("AllUnique", Flatten.pCollections());
    grouped.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    return PCollectionTuple.of(UNIQUE, unique).and(DEAD_LETTERS, grouped.get(DEAD_LETTERS));
  }

  private static final TupleTag<ManifestEntry> SINGLE = new TupleTag<ManifestEntry>() {};
  private static final TupleTag<ManifestEntry> REPEATED = new TupleTag<ManifestEntry>() {};

  static final class SplitFn extends DoFn<ManifestEntry, ManifestEntry> {
    private static final long serialVersionUID = 1L;
    private final PCollectionView<Map<String, Long>> repeated;

    SplitFn(PCollectionView<Map<String, Long>> repeated) {
      this.repeated = repeated;
    }

    @ProcessElement
    public void process(@Element ManifestEntry e, MultiOutputReceiver out, ProcessContext c) {
      out.get(c.sideInput(repeated).containsKey(e.id()) ? REPEATED : SINGLE).output(e);
    }
  }

  static final class KeepFirstFn extends DoFn<KV<String, Iterable<ManifestEntry>>, ManifestEntry> {
    private static final long serialVersionUID = 1L;
    private final Counter duplicates = Metrics.counter(DeduplicateIds.class, Reason.DUPLICATE_ID.code());

    @ProcessElement
    public void process(@Element KV<String, Iterable<ManifestEntry>> group, MultiOutputReceiver out) {
      List<ManifestEntry> all = new ArrayList<>();
      group.getValue().forEach(all::add);
      all.sort(Comparator.comparing(ManifestEntry::path).thenComparing(e -> String.join("|", e.labels())));
      ManifestEntry kept = all.get(0);
      out.get(UNIQUE).output(kept);
      for (int i = 1; i < all.size(); i++) {
        duplicates.inc();
        ManifestEntry d = all.get(i);
        out.get(DEAD_LETTERS).output(new DeadLetter(d.id(), d.path(), Reason.DUPLICATE_ID,
            "id '" + d.id() + "' appears " + all.size() + " times in the manifest; kept the entry with path " + kept.path()
                + " and labels " + kept.labels()));
      }
    }
  }
}
