package dev.labelbeam.transforms.labels;

import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.errors.DeadLetterCoder;
import dev.labelbeam.transforms.errors.Reason;
import dev.labelbeam.transforms.manifest.ManifestEntry;
import dev.labelbeam.transforms.manifest.ManifestEntryCoder;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Gives each image its labels from a pickled dict ({@link PickledLabels}), replacing what the manifest
 * or the folder names said. An image is looked up by its id (its path relative to the image folder or
 * as the manifest writes it) first, then by its file name alone; a file name that two images share
 * cannot be looked up ({@code ambiguous_file_name}), and an image without an entry is dead-lettered
 * ({@code no_labels_entry}) unless {@link #missingAsEmpty} keeps it with no labels (all negative).
 * Entries that did not fit the classes go to the dead letters with their own reason. Output
 * {@link #ENTRIES} and {@link #DEAD_LETTERS}.
 *
 * <p>The dict travels as a side input: fine up to a few million entries.
 */
public final class ApplyPickledLabels extends PTransform<PCollection<ManifestEntry>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;
  public static final TupleTag<ManifestEntry> ENTRIES = new TupleTag<ManifestEntry>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<DeadLetter>() {};

  private final PickledLabels labels;
  private final boolean missingAsEmpty;

  private ApplyPickledLabels(PickledLabels labels, boolean missingAsEmpty) {
    this.labels = labels;
    this.missingAsEmpty = missingAsEmpty;
  }

  /** The labels of {@code labels} for every image; an image without an entry is dead-lettered. */
  public static ApplyPickledLabels of(PickledLabels labels) {
    return new ApplyPickledLabels(java.util.Objects.requireNonNull(labels, "labels"), false);
  }

  /** Keeps an image without an entry, with no labels ({@code --missing-labels empty}). */
  public ApplyPickledLabels missingAsEmpty(boolean on) {
    return new ApplyPickledLabels(labels, on);
  }

  @Override
  public PCollectionTuple expand(PCollection<ManifestEntry> entries) {
    List<KV<String, PickledLabels.Labels>> table = labels.entries().entrySet().stream()
        .map(e -> KV.of(e.getKey(), e.getValue())).toList();
    PCollectionView<Map<String, PickledLabels.Labels>> byKey = entries.getPipeline()
        .apply("PickledTable", Create.of(table).withCoder(KvCoder.of(StringUtf8Coder.of(),
            SerializableCoder.of(PickledLabels.Labels.class))))
        .apply("PickledView", View.asMap());
    PCollectionView<Map<String, Long>> sharedNames = entries
        .apply("FileNames", MapElements.into(TypeDescriptors.strings()).via(e -> fileName(e.id())))
        .apply("CountFileNames", Count.perElement())
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
        .apply("Shared", Filter.by(kv -> kv.getValue() > 1))
        .apply("SharedView", View.asMap());
    PCollectionTuple out = entries.apply("LookUpLabels", ParDo.of(new LookUpFn(byKey, sharedNames, missingAsEmpty))
        .withSideInputs(byKey, sharedNames).withOutputTags(ENTRIES, TupleTagList.of(DEAD_LETTERS)));
    out.get(ENTRIES).setCoder(ManifestEntryCoder.of());
    out.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    return out;
  }

  static String fileName(String id) {
    int slash = id.lastIndexOf('/');
    return slash < 0 ? id : id.substring(slash + 1);
  }

  static final class LookUpFn extends DoFn<ManifestEntry, ManifestEntry> {
    private static final long serialVersionUID = 1L;
    private final PCollectionView<Map<String, PickledLabels.Labels>> byKey;
    private final PCollectionView<Map<String, Long>> sharedNames;
    private final boolean missingAsEmpty;

    LookUpFn(PCollectionView<Map<String, PickledLabels.Labels>> byKey, PCollectionView<Map<String, Long>> sharedNames,
        boolean missingAsEmpty) {
      this.byKey = byKey;
      this.sharedNames = sharedNames;
      this.missingAsEmpty = missingAsEmpty;
    }

    @ProcessElement
    public void process(@Element ManifestEntry e, MultiOutputReceiver out, ProcessContext c) {
      Map<String, PickledLabels.Labels> table = c.sideInput(byKey);
      PickledLabels.Labels l = table.get(e.id());
      String name = fileName(e.id());
      if (l == null && table.containsKey(name)) {
        Long shared = c.sideInput(sharedNames).get(name);
        if (shared != null) {
          dead(out, e, Reason.AMBIGUOUS_FILE_NAME, "the labels pickle's key '" + name + "' matches " + shared
              + " images; key it by the path relative to the image folder");
          return;
        }
        l = table.get(name);
      }
      if (l == null) {
        if (missingAsEmpty) {
          out.get(ENTRIES).output(new ManifestEntry(e.id(), e.path(), List.of()));
        } else {
          dead(out, e, Reason.NO_LABELS_ENTRY, "the labels pickle has no entry '" + e.id() + "' or '" + name + "'");
        }
        return;
      }
      if (l.problem() != null) {
        dead(out, e, l.problem(), l.message());
        return;
      }
      out.get(ENTRIES).output(new ManifestEntry(e.id(), e.path(), l.names()));
    }

    private static void dead(MultiOutputReceiver out, ManifestEntry e, Reason r, String message) {
      Metrics.counter(ApplyPickledLabels.class, r.code()).inc();
      out.get(DEAD_LETTERS).output(new DeadLetter(e.id(), e.path(), r, message));
    }
  }
}
