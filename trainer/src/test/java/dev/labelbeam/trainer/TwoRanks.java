package dev.labelbeam.trainer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.trainer.distributed.Collectives;
import dev.labelbeam.trainer.distributed.WorkerEnv;
import java.net.ServerSocket;

/** Runs a body as two Gloo ranks in this JVM, one thread each, and rethrows what a rank threw. */
final class TwoRanks {
  /** What one rank does with its group. */
  interface Body {
    void run(int rank, Collectives c) throws Exception;
  }

  private TwoRanks() {}

  static void run(Body body) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Throwable[] failure = new Throwable[2];
    Thread[] workers = new Thread[2];
    for (int r = 0; r < 2; r++) {
      int rank = r;
      int storePort = port;
      workers[r] = new Thread(() -> {
        try (Collectives c = Collectives.connect(new WorkerEnv(rank, 2, rank, "127.0.0.1", storePort), 60_000, false)) {
          body.run(rank, c);
        } catch (Throwable t) {
          failure[rank] = t;
        }
      });
      workers[r].start();
    }
    for (Thread t : workers) {
      t.join(120_000);
      assertTrue(!t.isAlive(), "a rank did not finish within 120 s");
    }
    for (Throwable t : failure) {
      if (t != null) {
        throw new AssertionError(t);
      }
    }
  }
}
