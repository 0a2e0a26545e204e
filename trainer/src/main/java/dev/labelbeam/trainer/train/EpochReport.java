package dev.labelbeam.trainer.train;

/** What one epoch did: mean training loss and throughput. */
public final class EpochReport {
  public final int epoch;
  public final int epochs;
  public final double meanLoss;
  public final long images;
  public final double seconds;

  public EpochReport(int epoch, int epochs, double meanLoss, long images, double seconds) {
    this.epoch = epoch;
    this.epochs = epochs;
    this.meanLoss = meanLoss;
    this.images = images;
    this.seconds = seconds;
  }

  public double imagesPerSecond() {
    return seconds > 0 ? images / seconds : 0;
  }

  /** The progress line printed per epoch. */
  public String line() {
    return String.format("epoch %d/%d  loss %.4f  %.0f images/s  (%d images, %.1f s)",
        epoch, epochs, meanLoss, imagesPerSecond(), images, seconds);
  }

  /** One JSON object for {@code train_log.jsonl}. */
  public String json() {
    return String.format(java.util.Locale.ROOT,
        "{\"epoch\":%d,\"loss\":%.6f,\"images\":%d,\"seconds\":%.3f,\"images_per_s\":%.1f}",
        epoch, meanLoss, images, seconds, imagesPerSecond());
  }
}
