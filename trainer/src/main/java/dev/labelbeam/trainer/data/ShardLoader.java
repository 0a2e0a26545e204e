package dev.labelbeam.trainer.data;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.LabelBits;
import dev.labelbeam.shard.ShardDigest;
import dev.labelbeam.shard.Storage;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads TFRecord shards and yields batches, with parallel decoding and a deterministic order.
 *
 * <p>One reader thread reads the records in a fixed order per epoch — shards shuffled with the
 * epoch's seed, records through a seeded shuffle buffer when training — and numbers them. Worker
 * threads decode and augment record {@code i} with a random stream seeded by (seed, epoch, i), so
 * the result does not depend on which thread does it; the consuming thread assembles batches in
 * record order. The same (seed, epoch) therefore always gives the same batches, which is what makes
 * an interrupted run resumable to the same weights ({@link #epoch(int, long)} skips the batches
 * already trained without decoding them). Label bitsets are unpacked straight into the batch's
 * target rows. Training drops the last partial batch; evaluation keeps it. A corrupt shard stops the
 * epoch with an error naming the file and offset.
 */
public final class ShardLoader {
  /** Records held in the reader's shuffle buffer when training. */
  public static final int SHUFFLE_BUFFER = 1024;

  private final Storage storage;
  private final List<String> shards;
  private final int numClasses;
  private final ImageTensorizer tensorizer;
  private final int batchSize;
  private final int workers;
  private final boolean train;
  private final Augment augment;
  private final long seed;
  private int rank = 0;
  private int world = 1;
  private long perRank = Long.MAX_VALUE;

  /**
   * @param train shuffle, augment and drop the last partial batch when true; read in order otherwise
   */
  public ShardLoader(List<Path> shards, int numClasses, ImageTensorizer tensorizer, int batchSize, int workers,
      boolean train, Augment augment, long seed) {
    this(Storage.local(), shards.stream().map(Path::toString).toList(), numClasses, tensorizer, batchSize, workers, train,
        augment, seed);
  }

  /**
   * Shards read from {@code storage} (local files, or any Beam filesystem through the pipelines
   * module's storage).
   *
   * @param train shuffle, augment and drop the last partial batch when true; read in order otherwise
   */
  public ShardLoader(Storage storage, List<String> shards, int numClasses, ImageTensorizer tensorizer, int batchSize,
      int workers, boolean train, Augment augment, long seed) {
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("no shards to read");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
    }
    if (workers < 1) {
      throw new IllegalArgumentException("loader threads must be >= 1, was " + workers);
    }
    this.storage = java.util.Objects.requireNonNull(storage, "storage");
    this.shards = List.copyOf(shards);
    this.numClasses = numClasses;
    this.tensorizer = tensorizer;
    this.batchSize = batchSize;
    this.workers = workers;
    this.train = train;
    this.augment = train ? augment : Augment.none();
    this.seed = seed;
  }

  /** The dataset whose digests the shards are checked against; null: not checked. */
  private DatasetInfo recorded;

  /**
   * Checks each shard's record count against {@code info}'s digests when the reader reaches its end:
   * a shard cut at a record boundary, or with a record duplicated, fails the epoch with a message
   * instead of training on what is left (shards without a recorded digest are not checked).
   */
  public ShardLoader verifiedAgainst(DatasetInfo info) {
    this.recorded = java.util.Objects.requireNonNull(info, "info");
    return this;
  }

  /**
   * Reads only this rank's part of each epoch, as PyTorch's {@code DistributedSampler}: of the
   * epoch's global order, rank {@code r} takes records {@code r, r + W, r + 2W, ...}, at most
   * {@code floor(totalRecords / W)} of them, so every rank has the same number of batches and step
   * {@code k} of all ranks together covers records {@code [kBW, (k+1)BW)} of the global order.
   */
  public ShardLoader forRank(int rank, int worldSize, long totalRecords) {
    if (worldSize < 1 || rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException("rank " + rank + " of " + worldSize);
    }
    this.rank = rank;
    this.world = worldSize;
    this.perRank = totalRecords / worldSize;
    return this;
  }

  /** One pass over the data. Close it (try-with-resources) to stop its threads early. */
  public Epoch epoch(int epoch) {
    return new Epoch(epoch, 0);
  }

  /** One pass over the data, skipping its first {@code skipBatches} batches (to resume mid-epoch). */
  public Epoch epoch(int epoch, long skipBatches) {
    return new Epoch(epoch, skipBatches);
  }

  private static final class Item {
    /** Position in this rank's sequence. */
    final long seq;
    /** Position in the epoch's global order (seeds the augmentation, the same for any world size). */
    final long global;
    final ImageRecord record;

    Item(long seq, long global, ImageRecord record) {
      this.seq = seq;
      this.global = global;
      this.record = record;
    }
  }

  private static final Item END = new Item(-1, -1, null);

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

  /** The batches of one epoch, pulled with {@link #next()}. */
  public final class Epoch implements AutoCloseable {
    private final int epoch;
    private final long firstSeq;
    private final BlockingQueue<Item> work = new ArrayBlockingQueue<>(Math.max(64, 4 * batchSize));
    private final ConcurrentHashMap<Long, Sample> done = new ConcurrentHashMap<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final Object lock = new Object();
    private final List<Thread> threads = new ArrayList<>();
    private volatile long total = -1;
    private long nextSeq;
    /** The batch arrays, filled anew by every {@link #next()} (see there). */
    private final float[] images = new float[batchSize * tensorizer.floatsPerImage()];
    private final float[] targets = new float[batchSize * numClasses];

    Epoch(int epoch, long skipBatches) {
      this.epoch = epoch;
      this.firstSeq = skipBatches * batchSize;
      this.nextSeq = firstSeq;
      Thread reader = new Thread(this::read, "shard-reader");
      threads.add(reader);
      for (int w = 0; w < workers; w++) {
        threads.add(new Thread(this::decode, "shard-decoder-" + w));
      }
      for (Thread t : threads) {
        t.setDaemon(true);
        t.start();
      }
    }

    private void read() {
      long seq = 0;
      try {
        List<String> order = new ArrayList<>(shards);
        Random rnd = new Random(seed * 1_000_003L + epoch);
        if (train) {
          Collections.shuffle(order, rnd);
        }
        List<ImageRecord> buffer = new ArrayList<>();
        for (String f : order) {
          try (TfRecordReader r = storage.openRecords(f)) {
            long inShard = 0;
            for (byte[] data = r.next(); data != null; data = r.next()) {
              inShard++;
              ImageRecord rec;
              try {
                rec = ImageRecord.parse(data);
              } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(f + " at byte offset " + (r.offset() - data.length - 16) + ": " + e.getMessage(), e);
              }
              if (!train) {
                seq = offer(seq, rec);
              } else if (buffer.size() < SHUFFLE_BUFFER) {
                buffer.add(rec);
              } else {
                int k = rnd.nextInt(buffer.size());
                ImageRecord out = buffer.get(k);
                buffer.set(k, rec);
                seq = offer(seq, out);
              }
            }
            ShardDigest digest = recorded == null ? null : recorded.digest(f);
            String problem = digest == null ? null : digest.countProblem(f, inShard);
            if (problem != null) {
              throw new IllegalStateException(problem);
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        Collections.shuffle(buffer, rnd);
        for (ImageRecord rec : buffer) {
          seq = offer(seq, rec);
        }
        total = Math.min(perRank, (seq - rank + world - 1) / world);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        fail(e);
      } finally {
        for (int w = 0; w < workers; w++) {
          work.offer(END);
        }
        synchronized (lock) {
          lock.notifyAll();
        }
      }
    }

    /**
     * Hands global record {@code global} to the decoders when it is this rank's, within the rank's
     * share, and not in the batches skipped.
     */
    private long offer(long global, ImageRecord rec) throws InterruptedException {
      if (global % world == rank) {
        long local = global / world;
        if (local < perRank && local >= firstSeq) {
          work.put(new Item(local, global, rec));
        }
      }
      return global + 1;
    }

    private void decode() {
      try {
        for (Item it = work.take(); it != END; it = work.take()) {
          // bounded look-ahead: wait while far ahead of the consumer
          synchronized (lock) {
            while (it.seq - nextSeq > 8L * batchSize && failure.get() == null) {
              lock.wait(50);
            }
          }
          LabelBits.validate(it.record.labelBits(), numClasses);
          float[] img = new float[tensorizer.floatsPerImage()];
          Random rnd = train ? new Random(seed * 0x9E3779B97F4A7C15L + epoch * 1_000_033L + it.global) : null;
          tensorizer.tensorize(it.record, augment, rnd, img, 0);
          done.put(it.seq, new Sample(it.record.id(), img, it.record.labelBits()));
          synchronized (lock) {
            lock.notifyAll();
          }
        }
        work.offer(END);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        fail(e);
      }
    }

    private void fail(RuntimeException e) {
      failure.compareAndSet(null, e);
      synchronized (lock) {
        lock.notifyAll();
      }
    }

    /**
     * The next batch, or {@code null} when the epoch is over. The batch's arrays are reused: they
     * hold this batch until the next call (copy them, e.g. into a tensor, before calling again).
     *
     * @throws RuntimeException what a loader thread hit (a corrupt shard names file and offset)
     */
    public Batch next() {
      int per = tensorizer.floatsPerImage();
      List<String> ids = new ArrayList<>(batchSize);
      int n = 0;
      while (n < batchSize) {
        Sample s;
        synchronized (lock) {
          while (true) {
            if (failure.get() != null) {
              close();
              throw failure.get();
            }
            s = done.remove(nextSeq);
            if (s != null || (total >= 0 && nextSeq >= total)) {
              break;
            }
            try {
              lock.wait(100);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IllegalStateException("interrupted while loading", e);
            }
          }
          if (s == null) {
            break;
          }
          nextSeq++;
          lock.notifyAll();
        }
        System.arraycopy(s.image, 0, images, n * per, per);
        LabelBits.unpackInto(s.bits, numClasses, targets, n * numClasses);
        ids.add(s.id);
        n++;
      }
      if (n == 0 || (train && n < batchSize)) {
        return null;
      }
      return new Batch(images, targets, ids, n);
    }

    @Override
    public void close() {
      for (Thread t : threads) {
        t.interrupt();
      }
      work.clear();
    }
  }
}
