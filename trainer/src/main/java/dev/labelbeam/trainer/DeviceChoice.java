package dev.labelbeam.trainer;

import java.util.Locale;

/** Where LibTorch runs: {@link #AUTO} picks CUDA when {@code cuda_is_available()}, else the CPU. */
public enum DeviceChoice {
  /** CUDA when available, else the CPU (the default everywhere). */
  AUTO,
  /** The CPU, even when a GPU is present. */
  CPU,
  /** CUDA; fails with a clear message when no GPU is visible. */
  CUDA;

  /** The lower-case name used on the command line and in files. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
