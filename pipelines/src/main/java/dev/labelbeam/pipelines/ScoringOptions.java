package dev.labelbeam.pipelines;

import dev.labelbeam.trainer.DeviceChoice;
import java.io.Serializable;

/**
 * How a checkpoint scores records: shared by {@link Predict}, {@link EvaluateModel}, the
 * {@code predict} and {@code evaluate} commands; each default and check is written once (here).
 *
 * @param batchSize records per forward pass, in [1, 4096]; default 64
 * @param device where the model runs; default {@link DeviceChoice#AUTO} (CUDA when available)
 * @param batchesRegrouped regroup the records into whole batches before scoring ({@code GroupIntoBatches}
 *     over a few keys), so that every forward pass is full whatever the bundle sizes; default off: a
 *     cluster runner's bundles are large and are scored as they come, without a shuffle of the images.
 *     Worth it where bundles hold single elements (Beam's DirectRunner after a file match), which is why
 *     the commands turn it on there ({@link Runners#inOneProcess})
 */
public record ScoringOptions(int batchSize, DeviceChoice device, boolean batchesRegrouped) implements Serializable {
  /** Default records per forward pass. */
  public static final int DEFAULT_BATCH_SIZE = 64;

  /** Validates; the message names the option, the value and what is allowed. */
  public ScoringOptions {
    if (batchSize < 1 || batchSize > 4096) {
      throw new IllegalArgumentException("batchSize must be in [1, 4096], was " + batchSize);
    }
    if (device == null) {
      throw new IllegalArgumentException("device must be one of " + java.util.Arrays.toString(DeviceChoice.values())
          + ", was null");
    }
  }

  /** 64 records per pass, device auto. */
  public static ScoringOptions defaults() {
    return new ScoringOptions(DEFAULT_BATCH_SIZE, DeviceChoice.AUTO, false);
  }

  /** A copy with another batch size. */
  public ScoringOptions withBatchSize(int n) {
    return new ScoringOptions(n, device, batchesRegrouped);
  }

  /** A copy with another device. */
  public ScoringOptions withDevice(DeviceChoice d) {
    return new ScoringOptions(batchSize, d, batchesRegrouped);
  }

  /** A copy that regroups (or not) the records into whole batches before scoring. */
  public ScoringOptions withBatchesRegrouped(boolean on) {
    return new ScoringOptions(batchSize, device, on);
  }
}
