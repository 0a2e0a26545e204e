package dev.labelbeam.trainer;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

/**
 * Loads the LibTorch natives safely and picks the device.
 *
 * <p>The natives are cached ({@code Loader.cacheResources}) before the first load: with a
 * system-wide libtorch installed (Debian's {@code python3-torch}) the dynamic linker could otherwise
 * pick the system's {@code libtorch_cpu} and crash the first JavaCPP load.
 *
 * <p>OpenBLAS, which these LibTorch natives use for matrix products, is set to one thread (unless
 * {@code OPENBLAS_NUM_THREADS} says otherwise): LibTorch already runs its kernels on its own OpenMP
 * threads, and OpenBLAS's separate thread pool on top of them oversubscribed the cores, costing 16% of
 * a ResNet-18 training step on 2 cores (51.8 → 60.7 images/s, benchmarks/scripts/trainer-vs-pytorch.sh).
 */
public final class TorchRuntime {
  private static volatile boolean loaded;

  private TorchRuntime() {}

  /** Loads the natives once per process; safe to call from any thread, any number of times. */
  public static synchronized void load() {
    if (loaded) {
      return;
    }
    try {
      Loader.cacheResources("/org/bytedeco/pytorch/" + Loader.getPlatform() + "/");
    } catch (Exception e) {
      throw new IllegalStateException("cannot extract the LibTorch natives: " + e, e);
    }
    Loader.load(torch.class);
    if (System.getenv("OPENBLAS_NUM_THREADS") == null) {
      org.bytedeco.openblas.global.openblas_full.openblas_set_num_threads(1);
    }
    loaded = true;
  }

  /** True when a CUDA device is usable by this build of the natives. */
  public static boolean cudaAvailable() {
    load();
    try {
      return torch.cuda_is_available();
    } catch (Throwable t) {
      return false;
    }
  }

  /**
   * The device for a choice: {@code AUTO} (CUDA when available, else CPU), {@code CPU} or {@code CUDA}.
   *
   * @throws IllegalArgumentException for {@code CUDA} without a CUDA device
   */
  public static Device device(DeviceChoice choice) {
    load();
    switch (choice) {
      case AUTO:
        return cudaAvailable() ? new Device(torch.DeviceType.CUDA) : new Device(torch.DeviceType.CPU);
      case CPU:
        return new Device(torch.DeviceType.CPU);
      case CUDA:
        if (!cudaAvailable()) {
          throw new IllegalArgumentException(
              "device 'cuda' was asked for but CUDA is not available (build with -Pgpu and run on a GPU machine)");
        }
        return new Device(torch.DeviceType.CUDA);
      default:
        throw new AssertionError(choice);
    }
  }

  /** A short name of the device for logs: {@code cpu} or {@code cuda}. */
  public static String describe(Device d) {
    return d.is_cuda() ? "cuda" : "cpu";
  }
}
