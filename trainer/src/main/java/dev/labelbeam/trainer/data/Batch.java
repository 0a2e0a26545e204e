package dev.labelbeam.trainer.data;

import java.util.List;

/**
 * One batch on the host: images as NCHW floats, targets as N × C floats (0/1), and the record ids.
 * {@code size} may be below the capacity for the last batch of an evaluation pass. The arrays belong
 * to the loader and are refilled by its next call.
 */
public final class Batch {
  public final float[] images;
  public final float[] targets;
  public final List<String> ids;
  public final int size;

  public Batch(float[] images, float[] targets, List<String> ids, int size) {
    this.images = images;
    this.targets = targets;
    this.ids = ids;
    this.size = size;
  }
}
