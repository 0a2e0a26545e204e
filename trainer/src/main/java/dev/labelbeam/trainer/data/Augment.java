package dev.labelbeam.trainer.data;

import java.io.Serializable;
import java.util.Random;

/**
 * The train-time augmentation, as torchvision's {@code RandomResizedCrop} and
 * {@code RandomHorizontalFlip}: a crop covering a random fraction of the area in
 * {@code [minScale, maxScale]} with a random aspect ratio in {@code [3/4, 4/3]} (log-uniform), resized
 * to the model's input, then a horizontal flip with probability 1/2. {@code minScale = maxScale = 1}
 * and {@code flip = false} turn it off (the eval transform: resize and center crop).
 */
public final class Augment implements Serializable {
  private static final long serialVersionUID = 1L;

  public final double minScale;
  public final double maxScale;
  public final boolean flip;

  public Augment(double minScale, double maxScale, boolean flip) {
    if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1)) {
      throw new IllegalArgumentException("crop scale must satisfy 0 < min <= max <= 1, was " + minScale + ", " + maxScale);
    }
    this.minScale = minScale;
    this.maxScale = maxScale;
    this.flip = flip;
  }

  /** No augmentation: the eval transform. */
  public static Augment none() {
    return new Augment(1, 1, false);
  }

  public boolean cropping() {
    return minScale < 1;
  }

  /** A crop rectangle {@code {x, y, w, h}} of a {@code width × height} image, as torchvision draws it. */
  public int[] crop(int width, int height, Random rnd) {
    double area = (double) width * height;
    for (int attempt = 0; attempt < 10; attempt++) {
      double target = area * (minScale + (maxScale - minScale) * rnd.nextDouble());
      double logRatio = Math.log(3.0 / 4) + (Math.log(4.0 / 3) - Math.log(3.0 / 4)) * rnd.nextDouble();
      double ratio = Math.exp(logRatio);
      int w = (int) Math.round(Math.sqrt(target * ratio));
      int h = (int) Math.round(Math.sqrt(target / ratio));
      if (w > 0 && h > 0 && w <= width && h <= height) {
        return new int[] {rnd.nextInt(width - w + 1), rnd.nextInt(height - h + 1), w, h};
      }
    }
    // fallback: the central crop with the aspect ratio clamped into range
    double inRatio = (double) width / height;
    int w = width;
    int h = height;
    if (inRatio < 3.0 / 4) {
      h = (int) Math.round(w / (3.0 / 4));
    } else if (inRatio > 4.0 / 3) {
      w = (int) Math.round(h * (4.0 / 3));
    }
    return new int[] {(width - w) / 2, (height - h) / 2, w, h};
  }
}
