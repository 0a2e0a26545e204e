package dev.labelbeam.transforms.coders;

import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.shard.DatasetInfo;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.DelegateCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Coders of the one-element-per-run values as the JSON text of their files ({@code dataset.json},
 * {@code metrics.json}): the form every reader of them uses, where Java serialization would tie the wire
 * format to the classes' layout.
 */
public final class JsonCoders {
  private JsonCoders() {}

  private static final Coder<DatasetInfo> DATASET_INFO = DelegateCoder.of(StringUtf8Coder.of(), DatasetInfo::toJson,
      DatasetInfo::fromJson, TypeDescriptor.of(DatasetInfo.class));
  private static final Coder<MultiLabelReport> REPORT = DelegateCoder.of(StringUtf8Coder.of(), MultiLabelReport::toJson,
      MultiLabelReport::fromJson, TypeDescriptor.of(MultiLabelReport.class));

  /** {@link DatasetInfo} as its {@code dataset.json}. */
  public static Coder<DatasetInfo> datasetInfo() {
    return DATASET_INFO;
  }

  /** {@link MultiLabelReport} as its {@code metrics.json}. */
  public static Coder<MultiLabelReport> report() {
    return REPORT;
  }
}
