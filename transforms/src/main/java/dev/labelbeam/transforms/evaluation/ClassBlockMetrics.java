package dev.labelbeam.transforms.evaluation;

import dev.labelbeam.metrics.ExampleStats;
import dev.labelbeam.metrics.MetricsAccumulator;
import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.MetricsReports;
import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.ReportParts;
import dev.labelbeam.metrics.ScoredExample;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Binned metrics combined per block of classes: each example is cut into slices of
 * {@code classesPerBlock} classes, keyed by block, and combined per key, so that no element and no
 * accumulator holds all classes (at 11,000 classes × 1,024 bins one accumulator is 90 MB, more than a
 * Flink sort buffer takes) and the merge spreads over workers, one key per block. Each block's
 * accumulator becomes small {@link ReportParts}; the example-based statistics are combined from the
 * whole examples beside them; one last combine assembles the same report a single accumulator gives.
 */
final class ClassBlockMetrics extends PTransform<PCollection<ScoredExample>, PCollection<MultiLabelReport>> {
  private static final long serialVersionUID = 1L;

  private final Integer numClasses;
  private final MetricsOptions options;
  private final int classesPerBlock;

  ClassBlockMetrics(Integer numClasses, MetricsOptions options, int classesPerBlock) {
    if (classesPerBlock < 1) {
      throw new IllegalArgumentException("classesPerBlock must be >= 1, was " + classesPerBlock);
    }
    this.numClasses = numClasses;
    this.options = options;
    this.classesPerBlock = classesPerBlock;
  }

  @Override
  public PCollection<MultiLabelReport> expand(PCollection<ScoredExample> examples) {
    int minSupport = options.minSupportForTuning();
    int blockSize = classesPerBlock;
    PCollection<Piece> parts = examples
        .apply("SliceByClassBlock", ParDo.of(new SliceFn(numClasses, classesPerBlock)))
        .setCoder(KvCoder.of(VarIntCoder.of(), ScoredExampleCoder.of()))
        .apply("MetricsPerBlock", Combine.perKey(new BlockFn(options)))
        .setCoder(KvCoder.of(VarIntCoder.of(), SerializableCoder.of(MetricsAccumulator.class)))
        .apply("PartsOfBlock", MapElements.into(TypeDescriptor.of(Piece.class))
            .via(kv -> Piece.of(MetricsReports.parts(kv.getValue(), minSupport, kv.getKey() * blockSize))))
        .setCoder(SerializableCoder.of(Piece.class));
    PCollection<Piece> stats = examples
        .apply("ExampleStats", Combine.globally(new ExampleStatsFn(options.threshold())).withoutDefaults())
        .apply("StatsAsPieces", MapElements.into(TypeDescriptor.of(Piece.class)).via(Piece::of))
        .setCoder(SerializableCoder.of(Piece.class));
    return PCollectionList.of(parts).and(stats)
        .apply("AllPieces", Flatten.pCollections())
        .apply("AssembleReport", Combine.globally(new AssembleFn(options)))
        .setCoder(SerializableCoder.of(MultiLabelReport.class));
  }

  /** A block's parts or the example statistics: what the last combine joins. */
  static final class Piece implements Serializable {
    private static final long serialVersionUID = 1L;
    ReportParts parts;
    ExampleStats stats;

    static Piece of(ReportParts p) {
      Piece x = new Piece();
      x.parts = p;
      return x;
    }

    static Piece of(ExampleStats s) {
      Piece x = new Piece();
      x.stats = s;
      return x;
    }
  }

  /** Cuts an example into (block, slice of its labels and scores). */
  static final class SliceFn extends DoFn<ScoredExample, KV<Integer, ScoredExample>> {
    private static final long serialVersionUID = 1L;
    private final Integer numClasses;
    private final int classesPerBlock;

    SliceFn(Integer numClasses, int classesPerBlock) {
      this.numClasses = numClasses;
      this.classesPerBlock = classesPerBlock;
    }

    @ProcessElement
    public void process(@Element ScoredExample e, OutputReceiver<KV<Integer, ScoredExample>> out) {
      int c = e.scores.length;
      if (numClasses != null && c != numClasses) {
        throw new IllegalArgumentException("example " + e.id + " has " + c + " scores, expected " + numClasses);
      }
      if (e.labelBits.length != (c + 7) / 8) {
        throw new IllegalArgumentException("example " + e.id + " has a " + e.labelBits.length
            + "-byte label bitset, expected " + (c + 7) / 8);
      }
      for (int block = 0, from = 0; from < c; block++, from += classesPerBlock) {
        int n = Math.min(classesPerBlock, c - from);
        float[] scores = java.util.Arrays.copyOfRange(e.scores, from, from + n);
        byte[] bits = new byte[(n + 7) / 8];
        for (int k = 0; k < n; k++) {
          int g = from + k;
          if ((e.labelBits[g >>> 3] & (1 << (g & 7))) != 0) {
            bits[k >>> 3] |= (byte) (1 << (k & 7));
          }
        }
        out.output(KV.of(block, new ScoredExample(e.id, bits, scores)));
      }
    }
  }

  /** A block's binned accumulator, sized by its first slice (the output: the accumulator itself). */
  static final class BlockFn extends Combine.CombineFn<ScoredExample, BlockFn.Holder, MetricsAccumulator> {
    private static final long serialVersionUID = 1L;
    private final MetricsOptions options;

    /** The accumulator and the block it belongs to; empty until the first slice. */
    static final class Holder implements Serializable {
      private static final long serialVersionUID = 1L;
      MetricsAccumulator acc;

      @Override
      public boolean equals(Object o) {
        return o instanceof Holder && java.util.Objects.equals(acc, ((Holder) o).acc);
      }

      @Override
      public int hashCode() {
        return acc == null ? 0 : acc.hashCode();
      }
    }

    BlockFn(MetricsOptions options) {
      this.options = options;
    }

    @Override
    public Holder createAccumulator() {
      return new Holder();
    }

    @Override
    public Holder addInput(Holder h, ScoredExample slice) {
      if (h.acc == null) {
        h.acc = options.newAccumulator(slice.scores.length);
      }
      h.acc.add(slice);
      return h;
    }

    @Override
    public Holder mergeAccumulators(Iterable<Holder> hs) {
      Holder out = new Holder();
      for (Holder h : hs) {
        if (h.acc != null) {
          out.acc = out.acc == null ? h.acc : out.acc.merge(h.acc);
        }
      }
      return out;
    }

    @Override
    public MetricsAccumulator extractOutput(Holder h) {
      h.acc.densify(); // the next step only reads it (a key exists only with a slice, so acc is set)
      return h.acc;
    }

    @Override
    public Coder<Holder> getAccumulatorCoder(CoderRegistry r, Coder<ScoredExample> in) {
      return SerializableCoder.of(Holder.class);
    }
  }

  /** Example-based statistics from whole examples. */
  static final class ExampleStatsFn extends Combine.CombineFn<ScoredExample, ExampleStats, ExampleStats> {
    private static final long serialVersionUID = 1L;
    private final double threshold;

    ExampleStatsFn(double threshold) {
      this.threshold = threshold;
    }

    @Override
    public ExampleStats createAccumulator() {
      return new ExampleStats();
    }

    @Override
    public ExampleStats addInput(ExampleStats acc, ScoredExample e) {
      return acc.add(e, threshold);
    }

    @Override
    public ExampleStats mergeAccumulators(Iterable<ExampleStats> accs) {
      ExampleStats out = new ExampleStats();
      accs.forEach(out::merge);
      return out;
    }

    @Override
    public ExampleStats extractOutput(ExampleStats acc) {
      return acc;
    }

    @Override
    public Coder<ExampleStats> getAccumulatorCoder(CoderRegistry r, Coder<ScoredExample> in) {
      return SerializableCoder.of(ExampleStats.class);
    }
  }

  /** Joins every block's parts and the example statistics into the report. */
  static final class AssembleFn extends Combine.CombineFn<Piece, AssembleFn.Pieces, MultiLabelReport> {
    private static final long serialVersionUID = 1L;
    private final MetricsOptions options;

    /** The parts so far and the merged statistics. */
    static final class Pieces implements Serializable {
      private static final long serialVersionUID = 1L;
      final List<ReportParts> parts = new ArrayList<>();
      final ExampleStats stats = new ExampleStats();
    }

    AssembleFn(MetricsOptions options) {
      this.options = options;
    }

    @Override
    public Pieces createAccumulator() {
      return new Pieces();
    }

    @Override
    public Pieces addInput(Pieces acc, Piece p) {
      if (p.parts != null) {
        acc.parts.add(p.parts);
      }
      if (p.stats != null) {
        acc.stats.merge(p.stats);
      }
      return acc;
    }

    @Override
    public Pieces mergeAccumulators(Iterable<Pieces> accs) {
      Pieces out = new Pieces();
      for (Pieces a : accs) {
        out.parts.addAll(a.parts);
        out.stats.merge(a.stats);
      }
      return out;
    }

    @Override
    public MultiLabelReport extractOutput(Pieces acc) {
      if (acc.parts.isEmpty()) {
        return options.emptyReport();
      }
      return MetricsReports.assemble(acc.parts, acc.stats, options.threshold(), options.minSupportForTuning(),
          options.logitBins());
    }

    @Override
    public Coder<Pieces> getAccumulatorCoder(CoderRegistry r, Coder<Piece> in) {
      return SerializableCoder.of(Pieces.class);
    }
  }
}
