package dev.labelbeam.trainer.train;

import java.util.Locale;

/** What one epoch did: mean training loss, throughput, and validation metrics when computed. */
public final class EpochReport {
  public final int epoch;
  public final int epochs;
  public final double meanLoss;
  public final long images;
  public final double seconds;
  public final long globalStep;
  /** NaN when not validated. */
  public double valMacroF1 = Double.NaN;
  public double valMacroAuc = Double.NaN;
  /** Seconds the validation took (every rank its share, in parallel); NaN without validation. */
  public double valSeconds = Double.NaN;
  /** Seconds left at the rate of this run so far. */
  public double etaSeconds;
  /**
   * Whether the epoch ran to its end; false when {@code --max-steps} stopped it part-way, so that the
   * checkpoint keeps the position inside the epoch and {@code --resume} goes on from there.
   */
  public boolean complete = true;

  public EpochReport(int epoch, int epochs, double meanLoss, long images, double seconds, long globalStep) {
    this.epoch = epoch;
    this.epochs = epochs;
    this.meanLoss = meanLoss;
    this.images = images;
    this.seconds = seconds;
    this.globalStep = globalStep;
  }

  public double imagesPerSecond() {
    return seconds > 0 ? images / seconds : 0;
  }

  /** The progress line printed per epoch. */
  public String line() {
    String val = Double.isNaN(valMacroF1) ? "" : String.format(Locale.ROOT, "  val macro-F1 %.4f macro-AUC %.4f", valMacroF1, valMacroAuc);
    return String.format(Locale.ROOT, "epoch %d/%d  step %d  loss %.4f  %.0f images/s  (%d images, %.1f s)%s  ETA %s",
        epoch, epochs, globalStep, meanLoss, imagesPerSecond(), images, seconds, val, eta(etaSeconds));
  }

  static String eta(double s) {
    long t = Math.round(s);
    return t >= 3600 ? String.format("%dh%02dm", t / 3600, t / 60 % 60) : String.format("%dm%02ds", t / 60, t % 60);
  }

  /** One JSON object for {@code train_log.jsonl}. */
  public String json() {
    return String.format(Locale.ROOT,
        "{\"epoch\":%d,\"step\":%d,\"loss\":%s,\"images\":%d,\"seconds\":%.3f,\"images_per_s\":%.1f,\"val_macro_f1\":%s,\"val_macro_auc\":%s,\"val_seconds\":%s}",
        epoch, globalStep, num(meanLoss), images, seconds, imagesPerSecond(), num(valMacroF1), num(valMacroAuc), num(valSeconds));
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "null" : String.format(Locale.ROOT, "%.6f", v);
  }
}
