package dev.labelbeam.transforms.manifest;

import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.errors.DeadLetterCoder;
import dev.labelbeam.transforms.errors.Reason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
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

  @Override
  public PCollectionTuple expand(PCollection<ManifestEntry> input) {
    PCollectionTuple out = input
        .apply("KeyById", WithKeys.of(ManifestEntry::id).withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(ManifestEntry.class)))
        .apply("GroupById", GroupByKey.create())
        .apply("KeepFirst", ParDo.of(new KeepFirstFn()).withOutputTags(UNIQUE, TupleTagList.of(DEAD_LETTERS)));
    out.get(UNIQUE).setCoder(SerializableCoder.of(ManifestEntry.class));
    out.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    return out;
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
