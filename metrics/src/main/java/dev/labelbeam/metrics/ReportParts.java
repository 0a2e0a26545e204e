package dev.labelbeam.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of a {@link MultiLabelReport} that one block of classes contributes: its per-class rows
 * (with their global class indices), its confusion totals at the fixed and the tuned thresholds, and
 * its histograms pooled over its classes (for micro AUC, AP and the precision-recall curve).
 * {@link MetricsReports#assemble} joins the parts of every block; small (rows plus 2 × bins longs),
 * unlike the accumulator it comes from.
 */
public final class ReportParts implements Serializable {
  private static final long serialVersionUID = 1L;

  final List<MultiLabelReport.ClassMetrics> rows = new ArrayList<>();
  Confusion total = new Confusion(0, 0, 0, 0);
  Confusion tunedTotal = new Confusion(0, 0, 0, 0);
  long[] pooledPos;
  long[] pooledNeg;
  /** Exact mode over all classes only: the pooled AUC from every score. */
  Double exactMicroAuc;
  /** Exact mode with every example's scores in float64 (as a predictions file gave them). */
  boolean float64;

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ReportParts)) {
      return false;
    }
    ReportParts p = (ReportParts) o;
    return java.util.Arrays.equals(pooledPos, p.pooledPos)
        && java.util.Arrays.equals(pooledNeg, p.pooledNeg) && total.equals(p.total)
        && tunedTotal.equals(p.tunedTotal) && java.util.Objects.equals(exactMicroAuc, p.exactMicroAuc) && float64 == p.float64
        && dev.labelbeam.shard.Json.write(rows).equals(dev.labelbeam.shard.Json.write(p.rows));
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(rows.size(), java.util.Arrays.hashCode(pooledPos));
  }

}
