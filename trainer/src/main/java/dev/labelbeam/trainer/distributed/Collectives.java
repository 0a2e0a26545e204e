package dev.labelbeam.trainer.distributed;

import dev.labelbeam.trainer.weights.StateDicts;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.Backend;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.ByteVector;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.StringVector;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * The c10d side of data-parallel training: rendezvous through a {@code TCPStore} (rank 0 serves it),
 * a Gloo process group on CPU (NCCL on CUDA), parameters broadcast from rank 0, and gradients
 * averaged by bucketed all-reduce (buckets of about 25 MB) overlapped with the backward pass by
 * {@link GradientReducer}. c10d's own {@code Reducer} is out of reach from Java: it needs a
 * {@code c10d::ProcessGroup}, whose constructor in these presets aborts with "intrusive_ptr: Newly-created
 * target had non-zero refcounts"; tensor hooks ({@code TensorBase.register_hook}) do the same job.
 */
public final class Collectives implements AutoCloseable {
  /** Default bucket size of the gradient all-reduce. */
  public static final long BUCKET_BYTES = 25L << 20;

  private final WorkerEnv env;
  private final TCPStore store;
  private final Backend group;

  private Collectives(WorkerEnv env, TCPStore store, Backend group) {
    this.env = env;
    this.store = store;
    this.group = group;
  }

  /**
   * Joins the group: every worker must arrive within {@code timeoutMs}, or this fails naming the
   * ranks that did not.
   */
  public static Collectives connect(WorkerEnv env, long timeoutMs, boolean cuda) {
    TCPStoreOptions o = new TCPStoreOptions();
    o.port((short) env.masterPort); // a short, but ports above 32767 work (they wrap to the same bits)
    o.isServer(env.rank == 0);
    o.numWorkers(new SizeTPointer(1).put(env.worldSize));
    o.waitWorkers(false);
    o.timeout(new Milliseconds(timeoutMs));
    TCPStore store;
    try {
      store = new TCPStore(env.masterAddr, o);
    } catch (RuntimeException e) {
      throw new IllegalStateException(env + ": cannot reach the rendezvous store at " + env.masterAddr + ":"
          + env.masterPort + " within " + timeoutMs / 1000 + " s: " + firstLine(e.getMessage()), e);
    }
    store.set("arrived/" + env.rank, new ByteVector(new byte[] {1}));
    List<String> missing = new ArrayList<>();
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      missing.clear();
      for (int r = 0; r < env.worldSize; r++) {
        if (!store.check(new StringVector("arrived/" + r))) {
          missing.add(Integer.toString(r));
        }
      }
      if (missing.isEmpty()) {
        break;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException(env + ": rendezvous timed out after " + timeoutMs / 1000 + " s; ranks "
            + String.join(", ", missing) + " of " + env.worldSize + " did not arrive at " + env.masterAddr + ":" + env.masterPort);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted during rendezvous", e);
      }
    }
    Backend group;
    if (cuda) {
      group = new org.bytedeco.pytorch.nccl.ProcessGroupNCCL(store, env.rank, env.worldSize,
          org.bytedeco.pytorch.nccl.ProcessGroupNCCL.Options.create());
    } else {
      ProcessGroupGloo.Options go = ProcessGroupGloo.Options.create();
      go.devices().push_back(glooDevice(env));
      go.timeout(new Milliseconds(timeoutMs));
      group = new ProcessGroupGloo(store, env.rank, env.worldSize, go);
    }
    return new Collectives(env, store, group);
  }

  /**
   * The network device Gloo uses: loopback for a single-machine run, the interface named by
   * {@code GLOO_SOCKET_IFNAME} when set (as in PyTorch), else the address of this host's name.
   */
  static org.bytedeco.pytorch.gloo.Device glooDevice(WorkerEnv env) {
    String ifname = System.getenv("GLOO_SOCKET_IFNAME");
    if (ifname != null && !ifname.isBlank()) {
      return ProcessGroupGloo.createDeviceForInterface(ifname);
    }
    if (env.masterAddr.equals("localhost") || env.masterAddr.startsWith("127.")) {
      return ProcessGroupGloo.createDeviceForHostname("127.0.0.1");
    }
    return ProcessGroupGloo.createDefaultDevice();
  }

  public WorkerEnv env() {
    return env;
  }

  /** Copies rank 0's parameters and buffers to every rank. */
  public void broadcastState(Module model) {
    try (PointerScope scope = new PointerScope();
        NoGradGuard g = new NoGradGuard()) {
      for (Tensor t : StateDicts.stateDict(model).values()) {
        group.broadcast(new TensorVector(t), new BroadcastOptions().rootRank(0))._wait();
      }
    }
  }

  /**
   * A reducer that averages the gradients of {@code params} over the ranks in buckets of about
   * {@code bucketBytes}, overlapped with the backward pass (see {@link GradientReducer}).
   */
  public GradientReducer reducer(List<Tensor> params, long bucketBytes) {
    return new GradientReducer(group, env, params, bucketBytes);
  }

  /** The mean of a number over the ranks. */
  public double mean(double v) {
    try (PointerScope scope = new PointerScope()) {
      Tensor t = Tensor.create(new float[] {(float) v});
      try {
        group.allreduce(new TensorVector(t))._wait();
      } catch (RuntimeException e) {
        throw lost(env, "an all-reduce", e);
      }
      return ((FloatBuffer) t.createBuffer()).get(0) / env.worldSize;
    }
  }

  /** The element-wise sum of a vector over the ranks (int64 all-reduce). */
  public long[] sum(long[] v) {
    try (PointerScope scope = new PointerScope()) {
      Tensor t = Tensor.create(v);
      allreduce(t, "a sum");
      long[] out = new long[v.length];
      ((java.nio.LongBuffer) t.createBuffer()).get(out);
      return out;
    }
  }

  /** The element-wise sum of a vector over the ranks (int32 all-reduce). */
  public int[] sum(int[] v) {
    try (PointerScope scope = new PointerScope()) {
      Tensor t = Tensor.create(v);
      allreduce(t, "a sum");
      int[] out = new int[v.length];
      ((java.nio.IntBuffer) t.createBuffer()).get(out);
      return out;
    }
  }

  private void allreduce(Tensor t, String what) {
    try {
      group.allreduce(new TensorVector(t))._wait();
    } catch (RuntimeException e) {
      throw lost(env, what, e);
    }
  }

  /** Waits until every rank got here. */
  public void barrier() {
    mean(0);
  }

  /**
   * The error a collective's failure becomes: which rank saw it, what it means (another worker died or
   * the network between them failed) and the c10d message without its source path.
   */
  static IllegalStateException lost(WorkerEnv env, String what, RuntimeException e) {
    String msg = firstLine(e.getMessage()).replaceFirst("^\\[[^\\]]*\\]\\s*", "");
    return new IllegalStateException(env + ": " + what + " failed; another worker died or the network between "
        + "the workers failed: " + msg, e);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  @Override
  public void close() {
    group.close();
    store.close();
  }
}
