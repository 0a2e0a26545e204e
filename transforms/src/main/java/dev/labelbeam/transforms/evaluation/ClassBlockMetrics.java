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
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Binned metrics combined per block of classes: each bundle feeds its examples to one accumulator per
 * block of {@code classesPerBlock} classes, keyed by block, and the blocks are merged per key, so that no element and no
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
    PCollectionTuple partial = examples.apply("AccumulateBlocksPerBundle",
        ParDo.of(new PartialBlocksFn(numClasses, options, classesPerBlock))
            .withOutputTags(BLOCKS, TupleTagList.of(STATS)));
    PCollection<Piece> parts = partial.get(BLOCKS)
        .setCoder(KvCoder.of(VarIntCoder.of(), MetricsAccumulatorCoder.of()))
        .apply("MergePerBlock", Combine.perKey(new MergeFn()))
        .setCoder(KvCoder.of(VarIntCoder.of(), MetricsAccumulatorCoder.of()))
        .apply("PartsOfBlock", MapElements.into(TypeDescriptor.of(Piece.class))
            .via(kv -> Piece.of(MetricsReports.parts(kv.getValue(), minSupport))))
        .setCoder(SerializableCoder.of(Piece.class));
    PCollection<Piece> stats = partial.get(STATS)
        .setCoder(SerializableCoder.of(ExampleStats.class))
        .apply("StatsAsPieces", MapElements.into(TypeDescriptor.of(Piece.class)).via(Piece::of))
        .setCoder(SerializableCoder.of(Piece.class));
    return PCollectionList.of(parts).and(stats)
        .apply("AllPieces", Flatten.pCollections())
        .apply("AssembleReport", Combine.globally(new AssembleFn(options)))
        .setCoder(dev.labelbeam.transforms.coders.JsonCoders.report());
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

    @Override
    public boolean equals(Object o) {
      return o instanceof Piece && java.util.Objects.equals(parts, ((Piece) o).parts)
          && java.util.Objects.equals(stats, ((Piece) o).stats);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(parts, stats);
    }
  }

  private static final TupleTag<KV<Integer, MetricsAccumulator>> BLOCKS = new TupleTag<>() {};
  private static final TupleTag<ExampleStats> STATS = new TupleTag<>() {};

  /**
   * Per bundle, one accumulator per block of classes fed the whole examples (no copy of their
   * scores), and the example-based statistics; emitted at the end of the bundle, so the elements that
   * cross the shuffle are accumulators (2 MiB at most each when dense), never the scores.
   */
  static final class PartialBlocksFn extends DoFn<ScoredExample, KV<Integer, MetricsAccumulator>> {
    private static final long serialVersionUID = 1L;
    private final Integer numClasses;
    private final MetricsOptions options;
    private final int classesPerBlock;
    private transient MetricsAccumulator[] blocks;
    private transient double[] classThresholds;
    private transient ExampleStats stats;

    PartialBlocksFn(Integer numClasses, MetricsOptions options, int classesPerBlock) {
      this.numClasses = numClasses;
      this.options = options;
      this.classesPerBlock = classesPerBlock;
    }

    @StartBundle
    public void startBundle() {
      blocks = null;
      stats = new ExampleStats();
    }

    @ProcessElement
    public void process(@Element ScoredExample e) {
      int c = e.scores.length;
      if (numClasses != null && c != numClasses) {
        throw new IllegalArgumentException("example " + e.id + " has " + c + " scores, expected " + numClasses);
      }
      if (blocks == null) {
        classThresholds = options.classThresholdArray(c);
        blocks = new MetricsAccumulator[(c + classesPerBlock - 1) / classesPerBlock];
        for (int b = 0; b < blocks.length; b++) {
          int from = b * classesPerBlock;
          blocks[b] = MetricsAccumulator.binnedBlock(Math.min(classesPerBlock, c - from), options.threshold(),
              options.logitBins(), from, c).withClassThresholds(classThresholds);
        }
      }
      for (MetricsAccumulator block : blocks) {
        block.add(e); // checks the score count and the bitset width against the first example's
      }
      stats.add(e, options.threshold(), classThresholds);
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext ctx) {
      if (blocks == null) {
        return;
      }
      for (int b = 0; b < blocks.length; b++) {
        blocks[b].flushBlock();
        ctx.output(BLOCKS, KV.of(b, blocks[b]), BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
      }
      ctx.output(STATS, stats, BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
      blocks = null;
    }
  }

  /** Merges one block's accumulators; the output is the merged accumulator, densified for reading. */
  static final class MergeFn extends Combine.CombineFn<MetricsAccumulator, AccumulatorHolder, MetricsAccumulator> {
    private static final long serialVersionUID = 1L;

    @Override
    public AccumulatorHolder createAccumulator() {
      return new AccumulatorHolder();
    }

    @Override
    public AccumulatorHolder addInput(AccumulatorHolder h, MetricsAccumulator in) {
      // the input is an element: merge it into an accumulator of our own, never change it
      if (h.acc == null) {
        h.acc = in.emptyCopy();
      }
      h.acc.merge(in);
      return h;
    }

    @Override
    public AccumulatorHolder mergeAccumulators(Iterable<AccumulatorHolder> hs) {
      return AccumulatorHolder.merge(hs);
    }

    @Override
    public MetricsAccumulator extractOutput(AccumulatorHolder h) {
      h.acc.densify(); // the next step only reads it (a key exists only with an input, so acc is set)
      return h.acc;
    }

    @Override
    public Coder<AccumulatorHolder> getAccumulatorCoder(CoderRegistry r, Coder<MetricsAccumulator> in) {
      return AccumulatorHolder.Coder.INSTANCE;
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

      @Override
      public boolean equals(Object o) {
        return o instanceof Pieces && parts.equals(((Pieces) o).parts) && stats.equals(((Pieces) o).stats);
      }

      @Override
      public int hashCode() {
        return java.util.Objects.hash(parts, stats);
      }
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
          options.logitBins()).withThresholdsFrom(options.thresholdsFrom());
    }

    @Override
    public Coder<Pieces> getAccumulatorCoder(CoderRegistry r, Coder<Piece> in) {
      return SerializableCoder.of(Pieces.class);
    }
  }
}
