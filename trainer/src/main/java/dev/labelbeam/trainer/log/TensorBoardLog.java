package dev.labelbeam.trainer.log;

import dev.labelbeam.proto.tf.Event;
import dev.labelbeam.proto.tf.Summary;
import dev.labelbeam.shard.TfRecordReader;
import dev.labelbeam.shard.TfRecordWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * TensorBoard event files of scalars: {@code <dir>/events.out.tfevents.<seconds>.<host>}, TFRecord
 * framing of {@code Event} protos (wire-compatible with TensorFlow's), one file per process that writes.
 * A run resumed at step S first drops, from the files of earlier processes, the events after S (the
 * steps it will write again), so the curves have no duplicates.
 */
public final class TensorBoardLog implements Closeable {
  /** The folder inside a training output. */
  public static final String FOLDER = "tensorboard";
  private static final String PREFIX = "events.out.tfevents.";

  private final TfRecordWriter writer;

  private TensorBoardLog(TfRecordWriter writer) {
    this.writer = writer;
  }

  /**
   * Opens a new event file in {@code dir}.
   *
   * @param resumedAt the step a resumed run continues from (events after it are dropped from earlier
   *     files), or -1 for a new run (earlier files are deleted)
   */
  public static TensorBoardLog open(Path dir, long resumedAt) throws IOException {
    Files.createDirectories(dir);
    for (Path f : files(dir)) {
      if (resumedAt < 0) {
        Files.delete(f);
      } else {
        truncate(f, resumedAt);
      }
    }
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "localhost";
    }
    long seconds = System.currentTimeMillis() / 1000;
    Path file = dir.resolve(PREFIX + seconds + "." + host);
    for (int n = 1; Files.exists(file); n++) {
      file = dir.resolve(PREFIX + seconds + "." + host + "." + n);
    }
    TensorBoardLog log = new TensorBoardLog(new TfRecordWriter(Files.newOutputStream(file)));
    log.write(Event.newBuilder().setWallTime(now()).setFileVersion("brain.Event:2").build());
    return log;
  }

  /** Writes scalars of one step (tag → value), flushed so that TensorBoard sees them at once. */
  public void scalars(long step, Map<String, Double> values) {
    Summary.Builder s = Summary.newBuilder();
    values.forEach((tag, v) -> {
      if (v != null && Double.isFinite(v)) {
        s.addValue(Summary.Value.newBuilder().setTag(tag).setSimpleValue(v.floatValue()));
      }
    });
    try {
      write(Event.newBuilder().setWallTime(now()).setStep(step).setSummary(s).build());
      writer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the TensorBoard events", e);
    }
  }

  /** Every event of the event files in {@code dir}, file by file in name order. */
  public static List<Event> read(Path dir) throws IOException {
    List<Event> out = new ArrayList<>();
    for (Path f : files(dir)) {
      out.addAll(events(f));
    }
    return out;
  }

  private void write(Event e) throws IOException {
    writer.write(e.toByteArray());
  }

  private static double now() {
    return System.currentTimeMillis() / 1000.0;
  }

  private static List<Path> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(PREFIX)).sorted().toList();
    }
  }

  private static List<Event> events(Path f) throws IOException {
    List<Event> out = new ArrayList<>();
    try (TfRecordReader r = TfRecordReader.open(f)) {
      for (byte[] d = r.next(); d != null; d = r.next()) {
        out.add(Event.parseFrom(d));
      }
    } catch (TfRecordReader.CorruptRecordException e) {
      // a process killed mid-write leaves a cut last record: the events before it stand
    }
    return out;
  }

  /** Rewrites {@code f} without the events after {@code step}. */
  private static void truncate(Path f, long step) throws IOException {
    List<Event> kept = events(f).stream().filter(e -> e.getStep() <= step).toList();
    Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
    try (OutputStream o = Files.newOutputStream(tmp); TfRecordWriter w = new TfRecordWriter(o)) {
      for (Event e : kept) {
        w.write(e.toByteArray());
      }
    }
    Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }
}
