package dev.labelbeam.transforms.labels;

import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.errors.DeadLetterCoder;
import dev.labelbeam.transforms.errors.Reason;
import dev.labelbeam.transforms.manifest.ManifestEntry;
import dev.labelbeam.transforms.manifest.ManifestEntryCoder;
import dev.labelbeam.transforms.shards.DatasetFiles;
import java.io.IOException;
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
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
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
 * <p>Scales with the dict: one worker reads the pickle (a pickle can only be read from its start) and
 * emits its entries, which then meet the images in two keyed joins (by id, then the rest by file name),
 * so no worker holds the whole dict beside its work and nothing of it travels in the pipeline's graph
 * (12 million entries would make a graph of gigabytes, or a side input of that size on every worker).
 */
public final class ApplyPickledLabels extends PTransform<PCollection<ManifestEntry>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;
  public static final TupleTag<ManifestEntry> ENTRIES = new TupleTag<ManifestEntry>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<DeadLetter>() {};

  private static final TupleTag<ManifestEntry> IMAGES = new TupleTag<ManifestEntry>() {};
  private static final TupleTag<PickledLabels.Labels> LABELS = new TupleTag<PickledLabels.Labels>() {};
  private static final TupleTag<Long> SHARING = new TupleTag<Long>() {};
  private static final TupleTag<KV<String, ManifestEntry>> UNMATCHED = new TupleTag<KV<String, ManifestEntry>>() {};

  private final String file;
  private final List<String> classes;
  private final boolean missingAsEmpty;

  private ApplyPickledLabels(String file, List<String> classes, boolean missingAsEmpty) {
    this.file = file;
    this.classes = classes;
    this.missingAsEmpty = missingAsEmpty;
  }

  /**
   * The labels of the pickle at {@code file} (a path or URL any worker can read) for every image; an
   * image without an entry is dead-lettered.
   *
   * @param classes the class names, as {@link PickledLabels#classes()} of the same file gives them (read
   *     once beforehand, e.g. by the launcher to check the file, or {@code labels.txt}'s)
   */
  public static ApplyPickledLabels from(String file, List<String> classes) {
    if (file == null || file.isEmpty()) {
      throw new IllegalArgumentException("the labels pickle must be a file, was '" + file + "'");
    }
    return new ApplyPickledLabels(file, List.copyOf(classes), false);
  }

  /** Keeps an image without an entry, with no labels ({@code --missing-labels empty}). */
  public ApplyPickledLabels missingAsEmpty(boolean on) {
    return new ApplyPickledLabels(file, classes, on);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("pickle", file).withLabel("Labels pickle"))
        .add(DisplayData.item("classes", (long) classes.size()).withLabel("Classes"))
        .addIfNotDefault(DisplayData.item("missingAsEmpty", missingAsEmpty).withLabel("Images without an entry kept, "
            + "unlabelled"), false);
  }

  @Override
  public PCollectionTuple expand(PCollection<ManifestEntry> entries) {
    KvCoder<String, PickledLabels.Labels> tableCoder = KvCoder.of(StringUtf8Coder.of(),
        SerializableCoder.of(PickledLabels.Labels.class));
    PCollection<KV<String, PickledLabels.Labels>> table = entries.getPipeline()
        .apply("PickleFile", Create.of(file))
        .apply("ReadPickle", ParDo.of(new ReadPickleFn(classes)))
        .setCoder(tableCoder);
    KvCoder<String, ManifestEntry> keyedCoder = KvCoder.of(StringUtf8Coder.of(), ManifestEntryCoder.of());

    // 1. by id
    PCollection<KV<String, ManifestEntry>> byId = entries
        .apply("KeyById", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(ManifestEntry.class)))
            .via(e -> KV.of(e.id(), e)))
        .setCoder(keyedCoder);
    PCollectionTuple first = KeyedPCollectionTuple.of(IMAGES, byId).and(LABELS, table)
        .apply("JoinById", CoGroupByKey.create())
        .apply("LabelById", ParDo.of(new ByIdFn()).withOutputTags(ENTRIES, TupleTagList.of(DEAD_LETTERS).and(UNMATCHED)));
    PCollection<KV<String, ManifestEntry>> unmatched = first.get(UNMATCHED).setCoder(keyedCoder);

    // 2. the rest by file name, with how many images share each name
    PCollection<KV<String, Long>> sharing = entries
        .apply("FileNames", MapElements.into(TypeDescriptors.strings()).via(e -> fileName(e.id())))
        .apply("CountFileNames", Count.perElement())
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    PCollection<KV<String, PickledLabels.Labels>> nameKeys = table
        .apply("KeysWithoutFolder", Filter.by(kv -> kv.getKey().indexOf('/') < 0)).setCoder(tableCoder);
    PCollectionTuple second = KeyedPCollectionTuple.of(IMAGES, unmatched).and(LABELS, nameKeys).and(SHARING, sharing)
        .apply("JoinByFileName", CoGroupByKey.create())
        .apply("LabelByFileName", ParDo.of(new ByFileNameFn(missingAsEmpty))
            .withOutputTags(ENTRIES, TupleTagList.of(DEAD_LETTERS)));

    PCollection<ManifestEntry> labeled = org.apache.beam.sdk.values.PCollectionList
        .of(first.get(ENTRIES).setCoder(ManifestEntryCoder.of()))
        .and(second.get(ENTRIES).setCoder(ManifestEntryCoder.of()))
        .apply("Labeled", org.apache.beam.sdk.transforms.Flatten.pCollections());
    PCollection<DeadLetter> dead = org.apache.beam.sdk.values.PCollectionList
        .of(first.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of()))
        .and(second.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of()))
        .apply("NotLabeled", org.apache.beam.sdk.transforms.Flatten.pCollections());
    return PCollectionTuple.of(ENTRIES, labeled).and(DEAD_LETTERS, dead);
  }

  static String fileName(String id) {
    int slash = id.lastIndexOf('/');
    return slash < 0 ? id : id.substring(slash + 1);
  }

  /** Reads the pickle once, on one worker, and emits its entries. */
  static final class ReadPickleFn extends DoFn<String, KV<String, PickledLabels.Labels>> {
    private static final long serialVersionUID = 1L;
    private final List<String> classes;

    ReadPickleFn(List<String> classes) {
      this.classes = classes;
    }

    @ProcessElement
    public void process(@Element String file, OutputReceiver<KV<String, PickledLabels.Labels>> out) throws IOException {
      PickledLabels p = PickledLabels.read(DatasetFiles.readFile(file), classes);
      if (!p.classes().equals(classes)) {
        throw new IllegalStateException(file + " gives other classes than when it was checked: it changed meanwhile");
      }
      for (Map.Entry<String, PickledLabels.Labels> e : p.entries().entrySet()) {
        out.output(KV.of(e.getKey(), e.getValue()));
      }
    }
  }

  /** Images whose id is a key get its labels; the others go on to the file-name join. */
  static final class ByIdFn extends DoFn<KV<String, CoGbkResult>, ManifestEntry> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> group, MultiOutputReceiver out) {
      PickledLabels.Labels l = group.getValue().getOnly(LABELS, null);
      for (ManifestEntry e : group.getValue().getAll(IMAGES)) {
        if (l == null) {
          out.get(UNMATCHED).output(KV.of(fileName(e.id()), e));
        } else {
          label(out, e, l);
        }
      }
    }
  }

  /** The rest by file name: labeled, ambiguous, or missing. */
  static final class ByFileNameFn extends DoFn<KV<String, CoGbkResult>, ManifestEntry> {
    private static final long serialVersionUID = 1L;
    private final boolean missingAsEmpty;

    ByFileNameFn(boolean missingAsEmpty) {
      this.missingAsEmpty = missingAsEmpty;
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> group, MultiOutputReceiver out) {
      String name = group.getKey();
      PickledLabels.Labels l = group.getValue().getOnly(LABELS, null);
      long shared = group.getValue().getOnly(SHARING, 0L);
      for (ManifestEntry e : group.getValue().getAll(IMAGES)) {
        if (l != null && shared > 1) {
          dead(out, e, Reason.AMBIGUOUS_FILE_NAME, "the labels pickle's key '" + name + "' matches " + shared
              + " images; key it by the path relative to the image folder");
        } else if (l != null) {
          label(out, e, l);
        } else if (missingAsEmpty) {
          out.get(ENTRIES).output(new ManifestEntry(e.id(), e.path(), List.of()));
        } else {
          dead(out, e, Reason.NO_LABELS_ENTRY, "the labels pickle has no entry '" + e.id() + "' or '" + name + "'");
        }
      }
    }
  }

  private static void label(DoFn.MultiOutputReceiver out, ManifestEntry e,
      PickledLabels.Labels l) {
    if (l.problem() != null) {
      dead(out, e, l.problem(), l.message());
    } else {
      out.get(ENTRIES).output(new ManifestEntry(e.id(), e.path(), l.names()));
    }
  }

  private static void dead(DoFn.MultiOutputReceiver out, ManifestEntry e,
      Reason r, String message) {
    Metrics.counter(ApplyPickledLabels.class, r.code()).inc();
    out.get(DEAD_LETTERS).output(new DeadLetter(e.id(), e.path(), r, message));
  }
}
