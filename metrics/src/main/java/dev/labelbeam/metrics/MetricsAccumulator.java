package dev.labelbeam.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The mergeable state of an evaluation. Always: exact confusion counts per class at the fixed
 * threshold, and example-based (samples) statistics. Then either every example (exact mode, memory
 * O(examples × classes)) or, per class, a histogram of the positives' and the negatives' scores over
 * {@link LogitBins} (binned mode, memory O(classes × bins), independent of the number of examples).
 */
public final class MetricsAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;

  final int numClasses;
  /** The examples' class of this accumulator's class 0 (a block of a wider evaluation), usually 0. */
  final int classOffset;
  /** The number of classes of the examples added: {@code numClasses} unless this is a block. */
  final int exampleClasses;
  final double threshold;
  /** Per-class thresholds of this accumulator's classes (index c = class classOffset + c), or null: {@code threshold}. */
  double[] classThresholds;
  final long[] tp;
  final long[] fp;
  final long[] fn;
  final long[] tn;
  /** Example-based statistics (samples averages, cardinality). */
  final ExampleStats stats = new ExampleStats();
  /** Exact mode: the examples; null in binned mode. */
  final List<ScoredExample> kept;
  /** Binned mode: the bins; null in exact mode. */
  final LogitBins bins;
  /**
   * Binned mode: class-major histograms ({@code class * bins + bin}), allocated only once there is
   * enough data: until then (small bundles, as runners often make) the observations wait in
   * {@code pending} as {@code cell << 1 | label}, so an accumulator of a few examples stays small.
   */
  int[] posHist;
  int[] negHist;
  private int[] pending;
  private int pendingSize;
  private final int cells;
  /**
   * Binned mode: examples whose scores are not yet in the histograms. They are binned a block at a
   * time, class by class, so that the updates of one class's histogram row are adjacent in memory
   * (one example at a time would touch a different cache line for every class).
   */
  private transient ScoredExample[] block;
  private transient int blockSize;
  static final int BLOCK = 64;

  private MetricsAccumulator(int numClasses, double threshold, LogitBins bins) {
    this(numClasses, threshold, bins, 0, numClasses);
  }

  private MetricsAccumulator(int numClasses, double threshold, LogitBins bins, int classOffset, int exampleClasses) {
    if (classOffset < 0 || classOffset + numClasses > exampleClasses) {
      throw new IllegalArgumentException("classes [" + classOffset + ", " + (classOffset + numClasses)
          + ") are not within the examples' " + exampleClasses);
    }
    this.classOffset = classOffset;
    this.exampleClasses = exampleClasses;
    this.numClasses = numClasses;
    this.threshold = threshold;
    this.tp = new long[numClasses];
    this.fp = new long[numClasses];
    this.fn = new long[numClasses];
    this.tn = new long[numClasses];
    this.bins = bins;
    if (bins == null) {
      kept = new ArrayList<>();
      cells = 0;
    } else {
      kept = null;
      long n = (long) numClasses * bins.bins();
      if (n > (Integer.MAX_VALUE >> 1) - 8) {
        throw new IllegalArgumentException(numClasses + " classes × " + bins.bins() + " bins is too many cells");
      }
      cells = (int) n;
      pending = new int[Math.min(cells, 1 << 16)];
    }
  }

  /** An exact-mode accumulator. */
  public static MetricsAccumulator exact(int numClasses, double threshold) {
    return new MetricsAccumulator(numClasses, threshold, null);
  }

  /** A binned-mode accumulator. */
  public static MetricsAccumulator binned(int numClasses, double threshold, LogitBins bins) {
    return new MetricsAccumulator(numClasses, threshold, bins);
  }

  /**
   * A binned-mode accumulator of the classes {@code [classOffset, classOffset + numClasses)} of
   * examples with {@code exampleClasses} classes: one block of an evaluation split by classes, fed the
   * whole examples (no copy of their scores). Its example-based statistics count only its classes.
   */
  public static MetricsAccumulator binnedBlock(int numClasses, double threshold, LogitBins bins, int classOffset,
      int exampleClasses) {
    return new MetricsAccumulator(numClasses, threshold, bins, classOffset, exampleClasses);
  }

  /**
   * Uses these thresholds, one per class of the examples ({@code exampleClasses} of them; this
   * accumulator takes its block's), instead of {@code threshold}; null keeps {@code threshold}. Call on
   * an empty accumulator.
   */
  public MetricsAccumulator withClassThresholds(double[] perExampleClass) {
    if (perExampleClass == null) {
      classThresholds = null;
      return this;
    }
    if (perExampleClass.length != exampleClasses) {
      throw new IllegalArgumentException(perExampleClass.length + " class thresholds for " + exampleClasses + " classes");
    }
    classThresholds = java.util.Arrays.copyOfRange(perExampleClass, classOffset, classOffset + numClasses);
    return this;
  }

  /** An empty accumulator of the same mode, classes, bins and thresholds, to merge into. */
  public MetricsAccumulator emptyCopy() {
    MetricsAccumulator a = new MetricsAccumulator(numClasses, threshold, bins, classOffset, exampleClasses);
    a.classThresholds = classThresholds == null ? null : classThresholds.clone();
    return a;
  }

  /** The decision threshold of class {@code c} of this accumulator. */
  public double thresholdOf(int c) {
    return classThresholds == null ? threshold : classThresholds[c];
  }

  /** The number of classes accumulated. */
  public int numClasses() {
    return numClasses;
  }

  /** The decision threshold of the confusion counts. */
  public double threshold() {
    return threshold;
  }

  /** The binned mode's bins; null in exact mode. */
  public LogitBins bins() {
    return bins;
  }

  /** The examples' class of this accumulator's class 0 (see {@link #binnedBlock}). */
  public int classOffset() {
    return classOffset;
  }

  /** The number of classes of the examples this accumulator takes. */
  public int exampleClasses() {
    return exampleClasses;
  }

  public boolean isExact() {
    return bins == null;
  }

  /** Adds one scored example. */
  public MetricsAccumulator add(ScoredExample e) {
    if (e.scores.length != exampleClasses) {
      throw new IllegalArgumentException("example " + e.id + " has " + e.scores.length + " scores, expected "
          + exampleClasses);
    }
    byte[] bits = e.labelBits;
    if (bits.length != (exampleClasses + 7) / 8) {
      throw new IllegalArgumentException("example " + e.id + " has a " + bits.length + "-byte label bitset, expected "
          + (exampleClasses + 7) / 8);
    }
    long exTp = 0;
    long exTrue = 0;
    long exPred = 0;

    for (int c = 0; c < numClasses; c++) {
      int g = classOffset + c;
      boolean label = (bits[g >>> 3] & (1 << (g & 7))) != 0;
      double s = e.scores64 == null ? e.scores[g] : e.scores64[g];
      boolean predicted = s >= (classThresholds == null ? threshold : classThresholds[c]);
      if (label) {
        exTrue++;
        if (predicted) {
          tp[c]++;
          exTp++;
          exPred++;
        } else {
          fn[c]++;
        }
      } else if (predicted) {
        fp[c]++;
        exPred++;
      } else {
        tn[c]++;
      }
    }
    stats.add(exTp, exTrue, exPred);
    if (classOffset == 0) {
      stats.idSum += ExampleSet.of(e.id); // once per example: a block of later classes sees the same examples
    }
    if (kept != null) {
      kept.add(e);
    } else {
      if (block == null) {
        block = new ScoredExample[BLOCK];
      }
      block[blockSize++] = e;
      if (blockSize == BLOCK) {
        flushBlock();
      }
    }
    return this;
  }

  /**
   * Bins the examples waiting in the block buffer, class by class (they are binned 64 at a time);
   * call it before handing the accumulator on as an element, so that reading it changes nothing.
   */
  public void flushBlock() {
    if (blockSize == 0) {
      return;
    }
    int nb = bins.bins();
    for (int c = 0; c < numClasses; c++) {
      int row = c * nb;
      int g = classOffset + c;
      int byteIndex = g >>> 3;
      int mask = 1 << (g & 7);
      for (int k = 0; k < blockSize; k++) {
        ScoredExample e = block[k];
        observe(row + bins.bin(e.scores[g]), (e.labelBits[byteIndex] & mask) != 0);
      }
    }
    java.util.Arrays.fill(block, 0, blockSize, null);
    blockSize = 0;
  }

  /** Adds another accumulator of the same shape into this one. */
  public MetricsAccumulator merge(MetricsAccumulator o) {
    if (o.numClasses != numClasses || o.classOffset != classOffset || o.exampleClasses != exampleClasses
        || o.threshold != threshold || !java.util.Arrays.equals(o.classThresholds, classThresholds)
        || (o.bins == null) != (bins == null)
        || (bins != null && o.bins.bins() != bins.bins())) {
      throw new IllegalArgumentException("cannot merge accumulators of different shapes");
    }
    for (int c = 0; c < numClasses; c++) {
      tp[c] += o.tp[c];
      fp[c] += o.fp[c];
      fn[c] += o.fn[c];
      tn[c] += o.tn[c];
    }
    stats.merge(o.stats);
    if (kept != null) {
      kept.addAll(o.kept);
    } else {
      o.flushBlock();
      flushBlock();
      if (o.posHist != null) {
        densify();
        for (int i = 0; i < cells; i++) {
          posHist[i] = Math.addExact(posHist[i], o.posHist[i]);
          negHist[i] = Math.addExact(negHist[i], o.negHist[i]);
        }
      }
      for (int k = 0; k < o.pendingSize; k++) {
        observe(o.pending[k] >>> 1, (o.pending[k] & 1) == 1);
      }
    }
    return this;
  }

  private void observe(int cell, boolean label) {
    if (posHist != null) {
      if (label) {
        posHist[cell]++;
      } else {
        negHist[cell]++;
      }
      return;
    }
    if (pendingSize == pending.length) {
      if (pendingSize >= cells / 2) {
        allocateHistograms();
        observe(cell, label);
        return;
      }
      pending = java.util.Arrays.copyOf(pending, Math.min(Math.max(16, pendingSize * 2), Math.max(16, cells / 2)));
    }
    pending[pendingSize++] = (cell << 1) | (label ? 1 : 0);
  }

  /**
   * Switches to dense histograms (binned mode), replaying what was pending; reading the metrics
   * does it too, so call it before handing the accumulator to code that must not change it.
   */
  public void densify() {
    if (bins == null) {
      return;
    }
    flushBlock();
    allocateHistograms();
  }

  private void allocateHistograms() {
    if (posHist != null) {
      return;
    }
    posHist = new int[cells];
    negHist = new int[cells];
    for (int k = 0; k < pendingSize; k++) {
      int e = pending[k];
      if ((e & 1) == 1) {
        posHist[e >>> 1]++;
      } else {
        negHist[e >>> 1]++;
      }
    }
    pending = new int[0];
    pendingSize = 0;
  }

  private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
    if (bins != null) {
      flushBlock();
    }
    if (pending != null && pending.length != pendingSize) {
      pending = java.util.Arrays.copyOf(pending, pendingSize);
    }
    out.defaultWriteObject();
  }

  /**
   * The exact counts as one vector, {@code tp, fp, fn, tn} per class then the seven example
   * statistics: what workers sum (all-reduce) to merge their accumulators without Beam.
   */
  public long[] countsVector() {
    long[] v = new long[4 * numClasses + ExampleStats.LONGS];
    System.arraycopy(tp, 0, v, 0, numClasses);
    System.arraycopy(fp, 0, v, numClasses, numClasses);
    System.arraycopy(fn, 0, v, 2 * numClasses, numClasses);
    System.arraycopy(tn, 0, v, 3 * numClasses, numClasses);
    System.arraycopy(stats.toLongs(), 0, v, 4 * numClasses, ExampleStats.LONGS);
    return v;
  }

  /** Binned mode: the positives' histograms then the negatives', class-major, as one vector to sum. */
  public int[] histogramsVector() {
    if (bins == null) {
      throw new IllegalStateException("an exact-mode accumulator has no histograms");
    }
    densify();
    int[] v = java.util.Arrays.copyOf(posHist, 2 * cells);
    System.arraycopy(negHist, 0, v, cells, cells);
    return v;
  }

  /**
   * A binned accumulator of these options from summed {@link #countsVector()} and
   * {@link #histogramsVector()} (of accumulators of the same shape): the merge of all of them.
   */
  public static MetricsAccumulator fromSums(int numClasses, double threshold, LogitBins bins, long[] counts,
      int[] histograms) {
    MetricsAccumulator a = new MetricsAccumulator(numClasses, threshold, bins);
    if (counts.length != 4 * numClasses + ExampleStats.LONGS || histograms.length != 2 * a.cells) {
      throw new IllegalArgumentException("sums of another shape: " + counts.length + " counts and "
          + histograms.length + " cells for " + numClasses + " classes x " + bins.bins() + " bins");
    }
    System.arraycopy(counts, 0, a.tp, 0, numClasses);
    System.arraycopy(counts, numClasses, a.fp, 0, numClasses);
    System.arraycopy(counts, 2 * numClasses, a.fn, 0, numClasses);
    System.arraycopy(counts, 3 * numClasses, a.tn, 0, numClasses);
    a.stats.merge(ExampleStats.fromLongs(java.util.Arrays.copyOfRange(counts, 4 * numClasses,
        4 * numClasses + ExampleStats.LONGS)));
    a.posHist = java.util.Arrays.copyOf(histograms, a.cells);
    a.negHist = java.util.Arrays.copyOfRange(histograms, a.cells, 2 * a.cells);
    a.pending = new int[0];
    return a;
  }

  /**
   * A compact encoding (for a Beam coder, not Java serialization): variable-length integers, the
   * histograms as (index gap, count) pairs of their non-zero cells, so a sparse accumulator is small
   * and a dense one at most about its cells' size.
   */
  public void writeTo(java.io.DataOutput out) throws java.io.IOException {
    if (bins != null) {
      flushBlock();
    }
    out.writeByte(2); // format version (2: kept examples carry their float64 scores when given)
    out.writeBoolean(bins != null);
    VarInts.write(out, numClasses);
    VarInts.write(out, classOffset);
    VarInts.write(out, exampleClasses);
    out.writeDouble(threshold);
    out.writeBoolean(classThresholds != null);
    if (classThresholds != null) {
      for (double t : classThresholds) {
        out.writeDouble(t);
      }
    }
    long[] sums = stats.toLongs();
    for (long[] counts : new long[][] {tp, fp, fn, tn, java.util.Arrays.copyOf(sums, ExampleStats.LONGS - 1)}) {
      for (long v : counts) {
        VarInts.write(out, v);
      }
    }
    out.writeLong(sums[ExampleStats.LONGS - 1]); // the id sum: any 64 bits, no var-int
    if (bins == null) {
      VarInts.write(out, kept.size());
      for (ScoredExample e : kept) {
        out.writeUTF(e.id);
        VarInts.write(out, e.labelBits.length);
        out.write(e.labelBits);
        VarInts.write(out, e.scores.length);
        for (float f : e.scores) {
          out.writeFloat(f);
        }
        out.writeBoolean(e.scores64 != null);
        if (e.scores64 != null) {
          for (double d : e.scores64) {
            out.writeDouble(d);
          }
        }
      }
      return;
    }
    VarInts.write(out, bins.bins());
    out.writeDouble(bins.range());
    out.writeBoolean(posHist != null);
    if (posHist != null) {
      writeSparse(out, posHist);
      writeSparse(out, negHist);
    } else {
      VarInts.write(out, pendingSize);
      for (int k = 0; k < pendingSize; k++) {
        VarInts.write(out, pending[k]);
      }
    }
  }

  /** Reads what {@link #writeTo} wrote. */
  public static MetricsAccumulator readFrom(java.io.DataInput in) throws java.io.IOException {
    int version = in.readByte();
    if (version != 2) {
      throw new java.io.IOException("unknown accumulator format " + version);
    }
    boolean binned = in.readBoolean();
    int numClasses = (int) VarInts.read(in);
    int classOffset = (int) VarInts.read(in);
    int exampleClasses = (int) VarInts.read(in);
    double threshold = in.readDouble();
    double[] classThresholds = null;
    if (in.readBoolean()) {
      classThresholds = new double[numClasses];
      for (int i = 0; i < numClasses; i++) {
        classThresholds[i] = in.readDouble();
      }
    }
    long[][] counts = new long[4][numClasses];
    for (long[] c : counts) {
      for (int i = 0; i < numClasses; i++) {
        c[i] = VarInts.read(in);
      }
    }
    long[] stats = new long[ExampleStats.LONGS];
    for (int i = 0; i < stats.length - 1; i++) {
      stats[i] = VarInts.read(in);
    }
    stats[stats.length - 1] = in.readLong();
    MetricsAccumulator a;
    if (!binned) {
      a = new MetricsAccumulator(numClasses, threshold, null, classOffset, exampleClasses);
      int n = (int) VarInts.read(in);
      for (int k = 0; k < n; k++) {
        String id = in.readUTF();
        byte[] bits = new byte[(int) VarInts.read(in)];
        in.readFully(bits);
        float[] scores = new float[(int) VarInts.read(in)];
        for (int i = 0; i < scores.length; i++) {
          scores[i] = in.readFloat();
        }
        double[] scores64 = null;
        if (in.readBoolean()) {
          scores64 = new double[scores.length];
          for (int i = 0; i < scores64.length; i++) {
            scores64[i] = in.readDouble();
          }
        }
        a.kept.add(new ScoredExample(id, bits, scores, scores64));
      }
    } else {
      int nb = (int) VarInts.read(in);
      double range = in.readDouble();
      a = new MetricsAccumulator(numClasses, threshold, new LogitBins(nb, range), classOffset, exampleClasses);
      if (in.readBoolean()) {
        a.posHist = new int[a.cells];
        a.negHist = new int[a.cells];
        readSparse(in, a.posHist);
        readSparse(in, a.negHist);
        a.pending = new int[0];
      } else {
        int n = (int) VarInts.read(in);
        a.pending = new int[Math.max(16, n)];
        for (int k = 0; k < n; k++) {
          a.pending[k] = (int) VarInts.read(in);
        }
        a.pendingSize = n;
      }
    }
    System.arraycopy(counts[0], 0, a.tp, 0, numClasses);
    System.arraycopy(counts[1], 0, a.fp, 0, numClasses);
    System.arraycopy(counts[2], 0, a.fn, 0, numClasses);
    System.arraycopy(counts[3], 0, a.tn, 0, numClasses);
    a.stats.merge(ExampleStats.fromLongs(stats));
    a.classThresholds = classThresholds;
    return a;
  }

  private static void writeSparse(java.io.DataOutput out, int[] hist) throws java.io.IOException {
    int nonZero = 0;
    for (int v : hist) {
      nonZero += v != 0 ? 1 : 0;
    }
    VarInts.write(out, nonZero);
    int last = -1;
    for (int i = 0; i < hist.length; i++) {
      if (hist[i] != 0) {
        VarInts.write(out, i - last);
        VarInts.write(out, hist[i]);
        last = i;
      }
    }
  }

  private static void readSparse(java.io.DataInput in, int[] hist) throws java.io.IOException {
    int n = (int) VarInts.read(in);
    int at = -1;
    for (int k = 0; k < n; k++) {
      at += (int) VarInts.read(in);
      hist[at] = (int) VarInts.read(in);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof MetricsAccumulator)) {
      return false;
    }
    MetricsAccumulator a = (MetricsAccumulator) o;
    if (bins != null) {
      flushBlock();
      a.flushBlock();
    }
    return numClasses == a.numClasses && classOffset == a.classOffset && exampleClasses == a.exampleClasses
        && threshold == a.threshold && java.util.Arrays.equals(classThresholds, a.classThresholds)
        && stats.equals(a.stats)
        && java.util.Arrays.equals(tp, a.tp) && java.util.Arrays.equals(fp, a.fp)
        && java.util.Arrays.equals(fn, a.fn) && java.util.Arrays.equals(tn, a.tn)
        && java.util.Objects.equals(kept, a.kept) && java.util.Arrays.equals(posHist, a.posHist)
        && java.util.Arrays.equals(negHist, a.negHist) && pendingSize == a.pendingSize
        && (pending == null ? a.pending == null
            : a.pending != null && java.util.Arrays.equals(pending, 0, pendingSize, a.pending, 0, a.pendingSize));
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(numClasses, stats);
  }
}
