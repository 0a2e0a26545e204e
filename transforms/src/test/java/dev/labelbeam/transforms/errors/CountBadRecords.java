package dev.labelbeam.transforms.errors;

import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.values.PCollection;

/** A bad-record sink for tests ({@code pipeline.registerBadRecordErrorHandler}): how many it got. */
public final class CountBadRecords extends PTransform<PCollection<BadRecord>, PCollection<Long>> {
  private static final long serialVersionUID = 1L;

  @Override
  public PCollection<Long> expand(PCollection<BadRecord> in) {
    return in.apply(Count.globally());
  }
}
