package dev.labelbeam.transforms.shards;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-split record counts and per-class positive counts, mergeable (the accumulator of the shard
 * writer's statistics). Memory is O(splits × classes), independent of the number of records. The
 * class count is not needed up front: arrays grow to the bitsets' width ({@code 8 × bytes}) and
 * {@link #positives(String, int)} trims them to the vocabulary's size.
 */
public final class DatasetStats implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Map<String, Long> records = new TreeMap<>();
  private final Map<String, long[]> positives = new TreeMap<>();

  /** Counts one record of {@code split} with the given packed labels. */
  public DatasetStats add(String split, byte[] labelBits) {
    records.merge(split, 1L, Long::sum);
    long[] p = grow(split, labelBits.length * 8);
    for (int b = 0; b < labelBits.length; b++) {
      int v = labelBits[b] & 0xff;
      while (v != 0) {
        p[(b << 3) + Integer.numberOfTrailingZeros(v)]++;
        v &= v - 1;
      }
    }
    return this;
  }

  /** Adds another accumulator's counts into this one. */
  public DatasetStats merge(DatasetStats other) {
    other.records.forEach((s, n) -> records.merge(s, n, Long::sum));
    other.positives.forEach(
        (s, p) -> {
          long[] mine = grow(s, p.length);
          for (int i = 0; i < p.length; i++) {
            mine[i] += p[i];
          }
        });
    return this;
  }

  private long[] grow(String split, int width) {
    long[] p = positives.get(split);
    if (p == null || p.length < width) {
      p = p == null ? new long[width] : Arrays.copyOf(p, width);
      positives.put(split, p);
    }
    return p;
  }

  /** The coder of the statistics: per split its record count and positive counts (var-longs). */
  public static org.apache.beam.sdk.coders.Coder<DatasetStats> coder() {
    return StatsCoder.INSTANCE;
  }

  private static final class StatsCoder extends org.apache.beam.sdk.coders.AtomicCoder<DatasetStats> {
    private static final long serialVersionUID = 1L;
    static final StatsCoder INSTANCE = new StatsCoder();
    private static final org.apache.beam.sdk.coders.Coder<Map<String, Long>> RECORDS =
        org.apache.beam.sdk.coders.MapCoder.of(org.apache.beam.sdk.coders.StringUtf8Coder.of(),
            org.apache.beam.sdk.coders.VarLongCoder.of());
    private static final org.apache.beam.sdk.coders.Coder<Map<String, java.util.List<Long>>> POSITIVES =
        org.apache.beam.sdk.coders.MapCoder.of(org.apache.beam.sdk.coders.StringUtf8Coder.of(),
            org.apache.beam.sdk.coders.ListCoder.of(org.apache.beam.sdk.coders.VarLongCoder.of()));

    @Override
    public void encode(DatasetStats s, java.io.OutputStream out) throws java.io.IOException {
      RECORDS.encode(s.records, out);
      Map<String, java.util.List<Long>> p = new TreeMap<>();
      s.positives.forEach((k, v) -> p.put(k, Arrays.stream(v).boxed().toList()));
      POSITIVES.encode(p, out);
    }

    @Override
    public DatasetStats decode(java.io.InputStream in) throws java.io.IOException {
      DatasetStats s = new DatasetStats();
      s.records.putAll(RECORDS.decode(in));
      POSITIVES.decode(in).forEach((k, v) -> s.positives.put(k, v.stream().mapToLong(Long::longValue).toArray()));
      return s;
    }
  }

  /** Records per split. */
  public Map<String, Long> records() {
    return records;
  }

  /** Per-class positive counts of a split, exactly {@code numClasses} long. */
  public long[] positives(String split, int numClasses) {
    long[] p = positives.get(split);
    return p == null ? new long[numClasses] : Arrays.copyOf(p, numClasses);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof DatasetStats)) {
      return false;
    }
    DatasetStats d = (DatasetStats) o;
    if (!records.equals(d.records) || !positives.keySet().equals(d.positives.keySet())) {
      return false;
    }
    for (Map.Entry<String, long[]> e : positives.entrySet()) {
      if (!Arrays.equals(e.getValue(), d.positives.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return records.hashCode();
  }
}
