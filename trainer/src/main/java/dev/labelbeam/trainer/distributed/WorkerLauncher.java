package dev.labelbeam.trainer.distributed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code train --workers N} on one machine: starts N worker processes of a command line with
 * {@code RANK}, {@code WORLD_SIZE}, {@code LOCAL_RANK}, {@code MASTER_ADDR=127.0.0.1} and a free
 * {@code MASTER_PORT}, as {@code torchrun} would, relays their output prefixed with the rank, and
 * supervises them: when one exits with an error, the others are stopped and the launcher exits
 * non-zero naming the rank, its exit code and its last lines of output. Each worker's process id is
 * written to {@code <output>/workers/rank-<r>.pid}. The training options reach the workers as one JSON
 * file ({@code <output>/workers/options.json}, {@link dev.labelbeam.trainer.train.TrainOptions#toJson}), the
 * command line names it ({@link #OPTIONS_FILE}).
 */
public final class WorkerLauncher {
  private static final int TAIL = 20;

  private WorkerLauncher() {}

  /** The file of the options every worker trains with, in {@code <output>/workers/}. */
  public static final String OPTIONS_FILE = "options.json";

  /**
   * The class path of a worker process: this JVM's, when it holds our classes (the command line, tests);
   * otherwise the jar our classes were loaded from. Inside a Flink TaskManager the JVM's class path is
   * Flink's own and our classes come from the job jar through a user-code class loader, so the workers
   * get that (self-contained) jar.
   */
  static String workerClassPath(Class<?> main) {
    String cp = System.getProperty("java.class.path", "");
    try {
      Path own = Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
      for (String entry : cp.split(java.io.File.pathSeparator)) {
        if (!entry.isEmpty() && Path.of(entry).toAbsolutePath().normalize().equals(own.normalize())) {
          return cp;
        }
      }
      return own.toString();
    } catch (Exception | Error e) { // no code source (an unusual class loader): keep the JVM's class path
      return cp;
    }
  }

  /**
   * Writes {@code options} to {@code <output>/workers/options.json} and runs {@code workers} processes of
   * {@code main} with {@code args(optionsFile)} to the end; returns the exit code for the launcher.
   *
   * @param main the class whose {@code main} a worker runs (the command line's)
   * @param args the worker's arguments, given the options and their file
   */
  public static int run(Class<?> main,
      java.util.function.BiFunction<dev.labelbeam.trainer.train.TrainOptions, Path, List<String>> args,
      dev.labelbeam.trainer.train.TrainOptions options, int workers, PrintStream out)
      throws IOException, InterruptedException {
    Path outputDir = options.outputDir();
    Path optionsFile = Files.createDirectories(outputDir.resolve("workers")).resolve(OPTIONS_FILE);
    Files.writeString(optionsFile, options.toJson());
    List<String> workerArgs = args.apply(options, optionsFile);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path pids = Files.createDirectories(outputDir.resolve("workers"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String jvmOpts = System.getenv().getOrDefault("LABELBEAM_WORKER_JAVA_OPTS", "-Xmx3g");
    List<Process> procs = new ArrayList<>();
    List<Deque<String>> tails = new ArrayList<>();
    List<Thread> relays = new ArrayList<>();
    for (int r = 0; r < workers; r++) {
      List<String> cmd = new ArrayList<>();
      cmd.add(java);
      for (String o : jvmOpts.trim().split("\\s+")) {
        if (!o.isEmpty()) {
          cmd.add(o);
        }
      }
      cmd.add("-cp");
      cmd.add(workerClassPath(main));
      cmd.add(main.getName());
      cmd.addAll(workerArgs);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().put("RANK", Integer.toString(r));
      pb.environment().put("WORLD_SIZE", Integer.toString(workers));
      pb.environment().put("LOCAL_RANK", Integer.toString(r));
      pb.environment().put("MASTER_ADDR", "127.0.0.1");
      pb.environment().put("MASTER_PORT", Integer.toString(port));
      Process p = pb.start();
      Files.writeString(pids.resolve("rank-" + r + ".pid"), Long.toString(p.pid()));
      procs.add(p);
      Deque<String> tail = new ArrayDeque<>();
      tails.add(tail);
      int rank = r;
      Thread t = new Thread(() -> relay(p, rank, tail, out), "relay-rank-" + r);
      t.setDaemon(true);
      t.start();
      relays.add(t);
    }
    out.printf("started %d workers (rendezvous 127.0.0.1:%d)%n", workers, port);
    while (true) {
      boolean allDone = true;
      for (int r = 0; r < workers; r++) {
        Process p = procs.get(r);
        if (p.isAlive()) {
          allDone = false;
        } else if (p.exitValue() != 0) {
          stopAll(procs);
          for (Thread t : relays) {
            t.join(2000);
          }
          out.printf("worker rank %d failed with exit code %d; the other workers were stopped. Its last output:%n", r, p.exitValue());
          synchronized (tails.get(r)) {
            for (String line : tails.get(r)) {
              out.println("  [rank " + r + "] " + line);
            }
          }
          return 1;
        }
      }
      if (allDone) {
        for (Thread t : relays) {
          t.join(2000);
        }
        return 0;
      }
      Thread.sleep(100);
    }
  }

  private static void relay(Process p, int rank, Deque<String> tail, PrintStream out) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        synchronized (tail) {
          tail.addLast(line);
          if (tail.size() > TAIL) {
            tail.removeFirst();
          }
        }
        if (rank == 0 || line.startsWith("error") || line.contains("Exception")) {
          out.println(rank == 0 ? line : "[rank " + rank + "] " + line);
        }
      }
    } catch (IOException e) {
      // the process is gone
    }
  }

  private static void stopAll(List<Process> procs) throws InterruptedException {
    for (Process p : procs) {
      p.destroy();
    }
    for (Process p : procs) {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }
}
