package dev.labelbeam.pipelines;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The output of a child process, line by line, copied to a log file: a test waits for the line that
 * says what it waits for (blocking with a timeout), instead of polling files with {@code Thread.sleep}.
 */
final class ProcessLines {
  private static final String END = "\u0000end";
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Path log;

  /** Starts copying {@code p}'s output (stderr merged into stdout by the caller) to {@code log}. */
  ProcessLines(Process p, Path log) {
    this.log = log;
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("(reading the output failed: " + e + ")");
      } finally {
        lines.add(END);
      }
    }, "output of " + p.pid());
    t.setDaemon(true);
    t.start();
  }

  /**
   * Waits until a line matching {@code pattern} arrives; fails with the log when the process ends
   * first or {@code timeout} passes.
   */
  void await(Pattern pattern, Duration timeout) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null || END.equals(line)) {
        throw new AssertionError((line == null ? "no line matching " + pattern + " within " + timeout
            : "the process ended before a line matching " + pattern) + "; its output:\n" + text());
      }
      if (pattern.matcher(line).find()) {
        return;
      }
    }
  }

  /** Waits for the end of the output (the process closed it) and returns all of it. */
  String awaitEnd(Duration timeout) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError("the output did not end within " + timeout + ":\n" + text());
      }
      if (END.equals(line)) {
        lines.add(END); // later waits end too
        return text();
      }
    }
  }

  /** Everything the process wrote so far. */
  String text() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }
}
