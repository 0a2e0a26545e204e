package dev.labelbeam.pipelines;

import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.trainer.inference.Predictor;
import dev.labelbeam.transforms.evaluation.ScoredExample;
import dev.labelbeam.transforms.evaluation.ScoredExampleCoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollection;

/**
 * Scores shard records with a trained checkpoint: per-class probabilities per record. The model is
 * loaded once per {@code DoFn} instance ({@code @Setup}) and freed in {@code @Teardown}; elements
 * are scored in batches of {@code batchSize}, flushed at the end of each bundle. Meant for bounded
 * inputs in the global window (batch jobs).
 */
public final class ScoreRecords extends PTransform<PCollection<ImageRecord>, PCollection<ScoredExample>> {
  private static final long serialVersionUID = 1L;

  private final String modelDir;
  private final int batchSize;
  private final String device;

  private ScoreRecords(String modelDir, int batchSize, String device) {
    this.modelDir = modelDir;
    this.batchSize = batchSize;
    this.device = device;
  }

  /** Scores with the checkpoint in {@code modelDir} (a local folder on every worker). */
  public static ScoreRecords withModel(String modelDir) {
    if (modelDir == null || modelDir.isEmpty()) {
      throw new IllegalArgumentException("modelDir must be a folder, was '" + modelDir + "'");
    }
    return new ScoreRecords(modelDir, 64, "auto");
  }

  /** Records scored per forward pass, in [1, 4096]; default 64. */
  public ScoreRecords withBatchSize(int n) {
    if (n < 1 || n > 4096) {
      throw new IllegalArgumentException("batchSize must be in [1, 4096], was " + n);
    }
    return new ScoreRecords(modelDir, n, device);
  }

  /** {@code auto}, {@code cpu} or {@code cuda}; default {@code auto}. */
  public ScoreRecords withDevice(String d) {
    return new ScoreRecords(modelDir, batchSize, d);
  }

  @Override
  public PCollection<ScoredExample> expand(PCollection<ImageRecord> input) {
    return input.apply("Score", ParDo.of(new ScoreFn(modelDir, batchSize, device))).setCoder(ScoredExampleCoder.of());
  }

  static final class ScoreFn extends DoFn<ImageRecord, ScoredExample> {
    private static final long serialVersionUID = 1L;
    private final String modelDir;
    private final int batchSize;
    private final String device;
    private transient Predictor predictor;
    private transient List<ImageRecord> pending;

    ScoreFn(String modelDir, int batchSize, String device) {
      this.modelDir = modelDir;
      this.batchSize = batchSize;
      this.device = device;
    }

    @Setup
    public void setup() throws IOException {
      predictor = Predictor.load(Path.of(modelDir), device);
    }

    @StartBundle
    public void startBundle() {
      pending = new ArrayList<>();
    }

    @ProcessElement
    public void process(@Element ImageRecord r, OutputReceiver<ScoredExample> out) {
      pending.add(r);
      if (pending.size() >= batchSize) {
        for (ScoredExample s : flush()) {
          out.output(s);
        }
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext c) {
      for (ScoredExample s : flush()) {
        c.output(s, BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
      }
    }

    private List<ScoredExample> flush() {
      List<ScoredExample> out = new ArrayList<>(pending.size());
      if (pending.isEmpty()) {
        return out;
      }
      List<byte[]> images = new ArrayList<>(pending.size());
      for (ImageRecord r : pending) {
        images.add(r.encoded());
      }
      float[][] scores = predictor.predict(images);
      for (int i = 0; i < pending.size(); i++) {
        out.add(new ScoredExample(pending.get(i).id(), pending.get(i).labelBits(), scores[i]));
      }
      pending.clear();
      return out;
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
