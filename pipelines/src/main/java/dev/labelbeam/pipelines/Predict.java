package dev.labelbeam.pipelines;

import com.google.auto.value.AutoValue;
import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.trainer.DeviceChoice;
import dev.labelbeam.trainer.inference.Predictor;
import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.errors.DeadLetterCoder;
import dev.labelbeam.transforms.errors.Reason;
import dev.labelbeam.transforms.evaluation.ScoredExampleCoder;
import dev.labelbeam.transforms.shards.BeamStorage;
import dev.labelbeam.transforms.shards.ImageRecordCoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupIntoBatches;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Scores records with a trained checkpoint. Output {@link #SCORED}: a {@link ScoredExample} (id,
 * true labels, per-class probabilities) for each {@link ImageRecord} (records of unlabeled images
 * carry an empty bitset); output {@link #DEAD_LETTERS}: records whose image does not decode, with
 * the reason. The model is loaded once per {@code DoFn} instance ({@code @Setup}) and freed in
 * {@code @Teardown}; elements are scored in batches of {@code batchSize} without autograd (bf16
 * autocast on CUDA), the last partial batch flushed at the end of each bundle. The graph is the same on
 * every runner; {@link ScoringOptions#batchesRegrouped} first groups the records into whole batches, for runners
 * whose bundles hold single elements. Meant for bounded inputs in the global window (batch jobs).
 *
 * <pre>{@code
 * PCollection<ScoredExample> scored =
 *     records.apply(Predict.withModel("/models/run1").withOptions(ScoringOptions.defaults().withBatchSize(128)))
 *         .get(Predict.SCORED);
 * }</pre>
 */
@AutoValue
public abstract class Predict extends PTransform<PCollection<ImageRecord>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  public static final TupleTag<ScoredExample> SCORED = new TupleTag<ScoredExample>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<DeadLetter>() {};

  abstract @Nullable String modelDir();

  abstract @Nullable PCollectionView<String> modelView();

  /** Batch size and device. */
  public abstract ScoringOptions options();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setModelDir(String d);

    abstract Builder setModelView(PCollectionView<String> v);

    abstract Builder setOptions(ScoringOptions o);

    abstract Predict build();
  }

  /** Scores with the checkpoint in {@code modelDir} (a local folder on every worker). */
  public static Predict withModel(String modelDir) {
    if (modelDir == null || modelDir.isEmpty()) {
      throw new IllegalArgumentException("modelDir must be a folder, was '" + modelDir + "'");
    }
    return new AutoValue_Predict.Builder().setModelDir(modelDir).setOptions(ScoringOptions.defaults()).build();
  }

  /**
   * Scores with the checkpoint whose folder a side input holds: for pipelines that train the model
   * in an earlier step ({@link TrainModel}). The model is then loaded at the first element of each
   * {@code DoFn} instance instead of in {@code @Setup}, and freed in {@code @Teardown}.
   */
  public static Predict withModelFrom(PCollectionView<String> modelDir) {
    if (modelDir == null) {
      throw new IllegalArgumentException("modelDir view must be set, was null");
    }
    return new AutoValue_Predict.Builder().setModelView(modelDir).setOptions(ScoringOptions.defaults()).build();
  }

  /** Batch size and device ({@link ScoringOptions}, itself immutable with a {@code withX} per option). */
  public Predict withOptions(ScoringOptions o) {
    return toBuilder().setOptions(java.util.Objects.requireNonNull(o, "scoring options")).build();
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    ScoringOptions d = ScoringOptions.defaults();
    builder.addIfNotNull(DisplayData.item("modelDir", modelDir()).withLabel("Model"))
        .addIfNotDefault(DisplayData.item("batchSize", options().batchSize()).withLabel("Batch size"), d.batchSize())
        .addIfNotDefault(DisplayData.item("device", options().device().name()).withLabel("Device"), d.device().name())
        .addIfNotDefault(DisplayData.item("batchesRegrouped", options().batchesRegrouped())
            .withLabel("Batches regrouped"), false);
  }


  @Override
  public PCollectionTuple expand(PCollection<ImageRecord> input) {
    ScoringOptions options = options();
    ParDo.MultiOutput<ImageRecord, ScoredExample> score =
        ParDo.of(new ScoreFn(modelDir(), modelView(), options.batchSize(), options.device()))
            .withOutputTags(SCORED, TupleTagList.of(DEAD_LETTERS));
    PCollection<ImageRecord> batched = options.batchesRegrouped() ? intoBatches(input) : input;
    PCollectionTuple out = batched.apply("Score", modelView() == null ? score : score.withSideInputs(modelView()));
    out.get(SCORED).setCoder(ScoredExampleCoder.of());
    out.get(DEAD_LETTERS).setCoder(DeadLetterCoder.of());
    return out;
  }

  /** The counter of batches scored (forward passes of the model), for a job's metrics. */
  public static final String FORWARD_PASSES = "forward_passes";

  /** Keys for {@link #intoBatches}: each holds at most one partial batch at the end. */
  private static final int BATCH_KEYS = 4;

  /**
   * The records regrouped so that each bundle downstream holds a whole batch: keyed by id over
   * {@link #BATCH_KEYS} keys, grouped into batches of {@code batchSize}, then let out again.
   */
  private PCollection<ImageRecord> intoBatches(PCollection<ImageRecord> input) {
    return input
        .apply("KeyForBatches", WithKeys.<Integer, ImageRecord>of(r -> Math.floorMod(r.id().hashCode(), BATCH_KEYS))
            .withKeyType(TypeDescriptors.integers()))
        .setCoder(KvCoder.of(VarIntCoder.of(), ImageRecordCoder.of()))
        .apply("GroupIntoBatches", GroupIntoBatches.ofSize(options().batchSize()))
        .apply("Batches", Values.create())
        .apply("BatchRecords", Flatten.iterables())
        .setCoder(ImageRecordCoder.of());
  }

  static final class ScoreFn extends DoFn<ImageRecord, ScoredExample> {
    private static final long serialVersionUID = 1L;
    private final String modelDir;
    private final PCollectionView<String> modelView;
    private final int batchSize;
    private final DeviceChoice device;
    private final Counter undecodable = Metrics.counter(Predict.class, Reason.DECODE_FAILED.code());
    private final Counter forwardPasses = Metrics.counter(Predict.class, FORWARD_PASSES);
    private transient Predictor predictor;
    private transient List<ImageRecord> pending;

    ScoreFn(String modelDir, PCollectionView<String> modelView, int batchSize, DeviceChoice device) {
      this.modelDir = modelDir;
      this.modelView = modelView;
      this.batchSize = batchSize;
      this.device = device;
    }

    @Setup
    public void setup() throws IOException {
      if (modelDir != null) {
        predictor = Predictor.load(modelDir, BeamStorage.create(), device).withFixedBatch(batchSize);
      }
    }

    @StartBundle
    public void startBundle() {
      pending = new ArrayList<>();
    }

    /** Where a flushed batch's outputs go: the element receiver or the bundle-finish context. */
    private interface Sink {
      void scored(ScoredExample s);

      void dead(DeadLetter d);
    }

    @ProcessElement
    public void process(@Element ImageRecord r, MultiOutputReceiver out, ProcessContext c) throws IOException {
      if (predictor == null) {
        predictor = Predictor.load(c.sideInput(modelView), BeamStorage.create(), device).withFixedBatch(batchSize);
      }
      pending.add(r);
      if (pending.size() >= batchSize) {
        flush(new Sink() {
          @Override
          public void scored(ScoredExample s) {
            out.get(SCORED).output(s);
          }

          @Override
          public void dead(DeadLetter d) {
            out.get(DEAD_LETTERS).output(d);
          }
        });
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext c) {
      flush(new Sink() {
        @Override
        public void scored(ScoredExample s) {
          c.output(SCORED, s, BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
        }

        @Override
        public void dead(DeadLetter d) {
          c.output(DEAD_LETTERS, d, BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
        }
      });
    }

    private void flush(Sink sink) {
      if (pending.isEmpty()) {
        return;
      }
      String[] errors = new String[pending.size()];
      float[][] scores = predictor.predictEach(pending, errors);
      forwardPasses.inc();
      for (int i = 0; i < pending.size(); i++) {
        ImageRecord r = pending.get(i);
        if (scores[i] == null) {
          undecodable.inc();
          sink.dead(new DeadLetter(r.id(), r.id(), Reason.DECODE_FAILED, errors[i]));
        } else {
          sink.scored(new ScoredExample(r.id(), r.labelBits(), scores[i]));
        }
      }
      pending.clear();
    }

    @Teardown
    public void teardown() {
      if (predictor != null) {
        predictor.close();
        predictor = null;
      }
    }
  }
}
