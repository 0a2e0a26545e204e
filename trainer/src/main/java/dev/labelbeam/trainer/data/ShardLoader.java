package dev.labelbeam.trainer.data;

import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.LabelBits;
import dev.labelbeam.shard.TfRecordReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads TFRecord shards with parallel loader threads and yields batches.
 *
 * <p>Each epoch, the shards are dealt to {@code threads} loader threads (in an order shuffled per
 * epoch when training). Each thread reads its shards with {@link TfRecordReader} (CRCs checked),
 * shuffles through a buffer when training, decodes and normalizes the images with
 * {@link ImageTensorizer} (random horizontal flip when training) and unpacks the label bitsets
 * straight into the target rows. The consuming thread assembles batches. Training drops the last
 * partial batch; evaluation keeps it. A corrupt shard stops the epoch with an error naming the file
 * and offset.
 */
public final class ShardLoader {
  /** Records held per loader thread for shuffling. */
  public static final int SHUFFLE_BUFFER = 512;

  private final List<Path> shards;
  private final int numClasses;
  private final ImageTensorizer tensorizer;
  private final int batchSize;
  private final int threads;
  private final boolean train;
  private final long seed;

  /**
   * @param train shuffle, flip and drop the last partial batch when true; read in order otherwise
   */
  public ShardLoader(List<Path> shards, int numClasses, ImageTensorizer tensorizer, int batchSize,
      int threads, boolean train, long seed) {
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("no shards to read");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, was " + threads);
    }
    this.shards = List.copyOf(shards);
    this.numClasses = numClasses;
    this.tensorizer = tensorizer;
    this.batchSize = batchSize;
    this.threads = Math.min(threads, shards.size());
    this.train = train;
    this.seed = seed;
  }

  /** One pass over the data. Close it (try-with-resources) to stop its threads early. */
  public Epoch epoch(int epoch) {
    return new Epoch(epoch);
  }

  private static final Object DONE = new Object();

  private static final class Sample {
    final String id;
    final float[] image;
    final byte[] bits;

    Sample(String id, float[] image, byte[] bits) {
      this.id = id;
      this.image = image;
      this.bits = bits;
    }
  }

  private static final class Failure {
    final RuntimeException error;

    Failure(RuntimeException error) {
      this.error = error;
    }
  }

  /** The batches of one epoch, pulled with {@link #next()}. */
  public final class Epoch implements AutoCloseable {
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(Math.max(64, 4 * batchSize));
    private final List<Thread> workers = new ArrayList<>();
    private int running;

    Epoch(int epoch) {
      List<Path> order = new ArrayList<>(shards);
      if (train) {
        Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
      }
      running = threads;
      for (int t = 0; t < threads; t++) {
        List<Path> mine = new ArrayList<>();
        for (int i = t; i < order.size(); i += threads) {
          mine.add(order.get(i));
        }
        Random rnd = new Random(seed * 1_000_003L + epoch * 7919L + t);
        Thread th = new Thread(() -> load(mine, rnd), "shard-loader-" + t);
        th.setDaemon(true);
        workers.add(th);
        th.start();
      }
    }

    private void load(List<Path> files, Random rnd) {
      try {
        List<ImageRecord> buffer = new ArrayList<>();
        for (Path f : files) {
          try (TfRecordReader r = TfRecordReader.open(f)) {
            for (byte[] data = r.next(); data != null; data = r.next()) {
              ImageRecord rec;
              try {
                rec = ImageRecord.parse(data);
              } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(f + " at byte offset " + (r.offset() - data.length - 16) + ": " + e.getMessage(), e);
              }
              if (!train) {
                emit(rec, rnd);
              } else if (buffer.size() < SHUFFLE_BUFFER) {
                buffer.add(rec);
              } else {
                int k = rnd.nextInt(buffer.size());
                ImageRecord out = buffer.get(k);
                buffer.set(k, rec);
                emit(out, rnd);
              }
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        Collections.shuffle(buffer, rnd);
        for (ImageRecord rec : buffer) {
          emit(rec, rnd);
        }
        queue.put(DONE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        try {
          queue.put(new Failure(e));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private void emit(ImageRecord rec, Random rnd) throws InterruptedException {
      float[] img = new float[tensorizer.floatsPerImage()];
      tensorizer.tensorize(rec, train && rnd.nextBoolean(), img, 0);
      LabelBits.validate(rec.labelBits(), numClasses);
      queue.put(new Sample(rec.id(), img, rec.labelBits()));
    }

    /**
     * The next batch, or {@code null} when the epoch is over.
     *
     * @throws RuntimeException what a loader thread hit (a corrupt shard names file and offset)
     */
    public Batch next() {
      int per = tensorizer.floatsPerImage();
      float[] images = new float[batchSize * per];
      float[] targets = new float[batchSize * numClasses];
      List<String> ids = new ArrayList<>(batchSize);
      int n = 0;
      while (n < batchSize && running > 0) {
        Object o;
        try {
          o = queue.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while loading", e);
        }
        if (o == DONE) {
          running--;
        } else if (o instanceof Failure) {
          close();
          throw ((Failure) o).error;
        } else {
          Sample s = (Sample) o;
          System.arraycopy(s.image, 0, images, n * per, per);
          LabelBits.unpackInto(s.bits, numClasses, targets, n * numClasses);
          ids.add(s.id);
          n++;
        }
      }
      if (n == 0 || (train && n < batchSize)) {
        return null;
      }
      return new Batch(images, targets, ids, n);
    }

    @Override
    public void close() {
      for (Thread t : workers) {
        t.interrupt();
      }
      queue.clear();
    }
  }
}
