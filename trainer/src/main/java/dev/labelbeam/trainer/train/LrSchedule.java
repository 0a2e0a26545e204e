package dev.labelbeam.trainer.train;

/**
 * Linear warmup from 0 to {@code peak} over {@code warmupSteps}, then cosine decay to
 * {@code peak × minFactor} at {@code totalSteps}.
 */
public final class LrSchedule {
  private final double peak;
  private final long warmupSteps;
  private final long totalSteps;
  private final double minFactor;

  public LrSchedule(double peak, long warmupSteps, long totalSteps, double minFactor) {
    if (peak <= 0 || warmupSteps < 0 || totalSteps < 1 || minFactor < 0 || minFactor > 1) {
      throw new IllegalArgumentException("bad schedule: peak " + peak + ", warmup " + warmupSteps
          + ", total " + totalSteps + ", minFactor " + minFactor);
    }
    this.peak = peak;
    this.warmupSteps = Math.min(warmupSteps, totalSteps);
    this.totalSteps = totalSteps;
    this.minFactor = minFactor;
  }

  /** The learning rate at 0-based {@code step}. */
  public double at(long step) {
    if (step < warmupSteps) {
      return peak * (step + 1) / warmupSteps;
    }
    long decay = totalSteps - warmupSteps;
    double t = decay <= 0 ? 1 : Math.min(1.0, (double) (step - warmupSteps) / decay);
    double cos = 0.5 * (1 + Math.cos(Math.PI * t));
    return peak * (minFactor + (1 - minFactor) * cos);
  }
}
