package dev.labelbeam.trainer.distributed;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Backend;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorBase;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.VoidTensorHook;
import org.bytedeco.pytorch.Work;
import org.bytedeco.pytorch.global.torch;

/**
 * Gradient averaging overlapped with the backward pass, the way PyTorch's DDP {@code Reducer} does it:
 * parameters are grouped into buckets of about {@code bucketBytes} in reverse order (the order in
 * which backward produces their gradients), a hook on each parameter copies its gradient into the
 * bucket's flat buffer as soon as autograd computes it, and a bucket whose gradients are all in is
 * all-reduced asynchronously while backward goes on with the earlier layers. {@link #finish} waits
 * for the last buckets, divides by the world size and writes the averages into the parameters'
 * {@code .grad}.
 *
 * <p>Buckets are launched strictly in index order on every rank (a ready bucket waits for the ones
 * before it), so the collectives match across ranks whatever order the hooks fire in. A parameter
 * that gets no gradient in a step (unused in the forward pass) contributes zeros, as DDP's
 * {@code find_unused_parameters} does.
 *
 * <p>Use: {@link #prepare} before each {@code backward()}, {@link #finish} after it, {@link #close} at
 * the end of training.
 */
public final class GradientReducer implements AutoCloseable {
  private final Backend group;
  private final WorkerEnv env;
  private final List<Tensor> params;
  private final List<Bucket> buckets = new ArrayList<>();
  /** Per parameter: its bucket, its place among the bucket's members and its view into the bucket's buffer. */
  private final int[] bucketOf;
  private final int[] slotOf;
  private final Tensor[] viewOf;
  private final int[] hookIds;
  /** Hook objects stay referenced from Java for as long as LibTorch may call them. */
  private final List<VoidTensorHook> hooks = new ArrayList<>();
  private int nextToLaunch;
  private boolean collecting;
  private int launchedDuringBackward;

  private static final class Bucket {
    final Tensor buffer;
    final List<Integer> members = new ArrayList<>();
    final boolean[] arrived;
    int pending;
    Work work;

    Bucket(Tensor buffer, int size) {
      this.buffer = buffer;
      this.arrived = new boolean[size];
    }
  }

  GradientReducer(Backend group, WorkerEnv env, List<Tensor> params, long bucketBytes) {
    this.group = group;
    this.env = env;
    this.params = new ArrayList<>();
    for (Tensor p : params) {
      Tensor own = new Tensor(p); // our own reference to the parameter, whatever becomes of the caller's
      own.retainReference();
      this.params.add(own);
    }
    int n = params.size();
    this.bucketOf = new int[n];
    this.slotOf = new int[n];
    this.viewOf = new Tensor[n];
    this.hookIds = new int[n];
    buildBuckets(bucketBytes);
    for (int i = 0; i < n; i++) {
      final int index = i;
      VoidTensorHook hook = new VoidTensorHook() {
        @Override
        public void call(TensorBase grad) {
          onGradient(index, grad);
        }
      };
      hooks.add(hook);
      hookIds[i] = this.params.get(i).register_hook(hook);
    }
  }

  /** Reverse parameter order, cut into buckets of about {@code bucketBytes}, one buffer per bucket. */
  private void buildBuckets(long bucketBytes) {
    List<List<Integer>> groups = new ArrayList<>();
    List<Integer> current = new ArrayList<>();
    long bytes = 0;
    for (int i = params.size() - 1; i >= 0; i--) {
      current.add(i);
      bytes += params.get(i).numel() * params.get(i).element_size();
      if (bytes >= bucketBytes) {
        groups.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
    }
    if (!current.isEmpty()) {
      groups.add(current);
    }
    try (NoGradGuard g = new NoGradGuard()) {
      for (List<Integer> members : groups) {
        Tensor buffer;
        try (PointerScope scope = new PointerScope()) {
          List<Tensor> flat = new ArrayList<>();
          for (int i : members) {
            flat.add(params.get(i).detach().reshape(-1));
          }
          buffer = torch.cat(new TensorVector(flat.toArray(new Tensor[0]))); // same dtype and device
          buffer.zero_();
          buffer.retainReference();
        }
        Bucket b = new Bucket(buffer, members.size());
        long offset = 0;
        for (int i : members) {
          long count = params.get(i).numel();
          Tensor view;
          try (PointerScope scope = new PointerScope()) {
            view = buffer.narrow(0, offset, count).view_as(params.get(i));
            view.retainReference();
          }
          viewOf[i] = view;
          bucketOf[i] = buckets.size();
          slotOf[i] = b.members.size();
          b.members.add(i);
          offset += count;
        }
        buckets.add(b);
      }
    }
  }

  /** Number of buckets (for logs and tests). */
  public int bucketCount() {
    return buckets.size();
  }

  /**
   * Buckets whose all-reduce started while the last backward pass was still running (the overlap);
   * the others started in {@link #finish}.
   */
  public synchronized int launchedDuringBackward() {
    return launchedDuringBackward;
  }

  /** Arms the hooks for the next backward pass. */
  public synchronized void prepare() {
    for (Bucket b : buckets) {
      java.util.Arrays.fill(b.arrived, false);
      b.pending = b.members.size();
      if (b.work != null) { // left by a backward pass that failed before finish()
        b.work.releaseReference();
        b.work = null;
      }
    }
    nextToLaunch = 0;
    collecting = true;
    launchedDuringBackward = 0;
  }

  private synchronized void onGradient(int index, TensorBase grad) {
    if (!collecting) {
      return; // a backward pass outside training (none in our trainer): leave it alone
    }
    Bucket b = buckets.get(bucketOf[index]);
    int slot = slotOf[index];
    if (b.arrived[slot]) {
      throw new IllegalStateException("parameter " + index + " received two gradients in one backward pass");
    }
    try (PointerScope scope = new PointerScope();
        NoGradGuard g = new NoGradGuard()) {
      viewOf[index].copy_(new Tensor(grad));
    }
    b.arrived[slot] = true;
    b.pending--;
    launchReady();
  }

  /** Launches, in index order, every bucket whose gradients are all in. */
  private void launchReady() {
    while (nextToLaunch < buckets.size() && buckets.get(nextToLaunch).pending == 0) {
      launch(buckets.get(nextToLaunch++));
    }
  }

  private void launch(Bucket b) {
    try (PointerScope scope = new PointerScope()) {
      Work w = group.allreduce(new TensorVector(b.buffer));
      w.retainReference();
      b.work = w;
    }
  }

  /**
   * After {@code backward()}: zero-fills and launches buckets that still miss gradients (parameters
   * unused in this step), waits for every all-reduce, and writes the averaged gradients into the
   * parameters' {@code .grad}.
   */
  public synchronized void finish() {
    collecting = false;
    launchedDuringBackward = nextToLaunch;
    try (PointerScope scope = new PointerScope();
        NoGradGuard g = new NoGradGuard()) {
      for (int k = nextToLaunch; k < buckets.size(); k++) {
        Bucket b = buckets.get(k);
        for (int s = 0; s < b.members.size(); s++) {
          if (!b.arrived[s]) {
            viewOf[b.members.get(s)].zero_();
          }
        }
        b.pending = 0;
      }
      launchReady();
      Scalar world = new Scalar((double) env.worldSize);
      for (Bucket b : buckets) {
        try {
          b.work._wait();
        } catch (RuntimeException e) {
          throw Collectives.lost(env, "the gradient all-reduce", e);
        }
        b.work.releaseReference();
        b.work = null;
        b.buffer.div_(world);
      }
      for (int i = 0; i < params.size(); i++) {
        Tensor p = params.get(i);
        Tensor grad = p.grad();
        if (grad == null || grad.isNull() || !grad.defined()) {
          p.mutable_grad().put(viewOf[i].clone());
        } else {
          grad.copy_(viewOf[i]);
        }
      }
    }
  }

  @Override
  public synchronized void close() {
    for (int i = 0; i < params.size(); i++) {
      params.get(i).remove_hook(hookIds[i]);
    }
    for (Bucket b : buckets) {
      if (b.work != null) {
        b.work.releaseReference();
      }
      b.buffer.releaseReference();
    }
    for (Tensor v : viewOf) {
      v.releaseReference();
    }
    for (Tensor p : params) {
      p.releaseReference();
    }
  }
}
