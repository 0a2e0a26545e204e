package dev.labelbeam.trainer.distributed;

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
import org.bytedeco.pytorch.global.torch;

/**
 * The c10d side of data-parallel training: rendezvous through a {@code TCPStore} (rank 0 serves it),
 * a Gloo process group on CPU (NCCL on CUDA), parameters broadcast from rank 0, and gradients
 * averaged by bucketed all-reduce (buckets of about 25 MB, issued after the backward pass).
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
      List<Tensor> all = new ArrayList<>();
      var p = model.named_parameters(true).items();
      for (long i = 0; i < p.size(); i++) {
        all.add(p.get(i).value());
      }
      var b = model.named_buffers(true).items();
      for (long i = 0; i < b.size(); i++) {
        all.add(b.get(i).value());
      }
      for (Tensor t : all) {
        group.broadcast(new TensorVector(t), new BroadcastOptions().rootRank(0))._wait();
      }
    }
  }

  /**
   * Averages the gradients of {@code params} over the ranks: flattened into buckets of about
   * {@code bucketBytes}, each summed with one all-reduce and divided by the world size.
   *
   * <p>This runs after the backward pass. Overlapping it with the backward pass, as PyTorch's DDP
   * does, is not reachable from Java with these presets: c10d's {@code Reducer} needs a
   * {@code c10d::ProcessGroup}, whose constructor here aborts with "intrusive_ptr: Newly-created
   * target had non-zero refcounts" (the store is wrapped a second time), and
   * {@code Tensor::register_hook} is not mapped.
   */
  public void averageGradients(List<Tensor> params, long bucketBytes) {
    try (PointerScope scope = new PointerScope();
        NoGradGuard g = new NoGradGuard()) {
      List<Tensor> bucket = new ArrayList<>();
      long bytes = 0;
      for (Tensor p : params) {
        Tensor grad = p.grad();
        if (grad == null || grad.isNull() || !grad.defined()) {
          continue;
        }
        bucket.add(grad);
        bytes += grad.numel() * 4;
        if (bytes >= bucketBytes) {
          reduce(bucket);
          bucket.clear();
          bytes = 0;
        }
      }
      if (!bucket.isEmpty()) {
        reduce(bucket);
      }
    }
  }

  private void reduce(List<Tensor> grads) {
    List<Tensor> flat = new ArrayList<>();
    for (Tensor g : grads) {
      flat.add(g.reshape(-1));
    }
    Tensor buf = torch.cat(new TensorVector(flat.toArray(new Tensor[0])));
    group.allreduce(new TensorVector(buf))._wait();
    buf.div_(new org.bytedeco.pytorch.Scalar((double) env.worldSize));
    long off = 0;
    for (Tensor g : grads) {
      long n = g.numel();
      g.copy_(buf.narrow(0, off, n).view(g.shape()));
      off += n;
    }
  }

  /** The mean of a number over the ranks. */
  public double mean(double v) {
    try (PointerScope scope = new PointerScope()) {
      Tensor t = Tensor.create(new float[] {(float) v});
      group.allreduce(new TensorVector(t))._wait();
      return ((FloatBuffer) t.createBuffer()).get(0) / env.worldSize;
    }
  }

  /** Waits until every rank got here. */
  public void barrier() {
    mean(0);
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
