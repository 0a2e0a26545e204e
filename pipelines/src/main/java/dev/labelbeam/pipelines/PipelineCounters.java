package dev.labelbeam.pipelines;

import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/** Reads a finished pipeline's Beam counters, summed over steps (attempted values: every runner reports them). */
public final class PipelineCounters {
  private PipelineCounters() {}

  /** The counter {@code name} of {@code namespace}, summed; 0 when no step incremented it. */
  public static long sum(PipelineResult result, Class<?> namespace, String name) {
    long total = 0;
    for (MetricResult<Long> c : result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(namespace, name)).build()).getCounters()) {
      total += c.getAttempted();
    }
    return total;
  }
}
