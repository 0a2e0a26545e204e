package dev.labelbeam.transforms.coders;

import dev.labelbeam.metrics.MultiLabelReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/**
 * A coder for {@link MultiLabelReport} as its {@code metrics.json} text: one element per evaluation, and
 * the JSON form is the one every reader of the report uses, where Java serialization ties the wire format
 * to the class's layout.
 */
public final class MultiLabelReportCoder extends AtomicCoder<MultiLabelReport> {
  private static final long serialVersionUID = 1L;
  private static final MultiLabelReportCoder INSTANCE = new MultiLabelReportCoder();

  /** The coder. */
  public static MultiLabelReportCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(MultiLabelReport value, OutputStream out) throws IOException {
    StringUtf8Coder.of().encode(value.toJson(), out);
  }

  @Override
  public MultiLabelReport decode(InputStream in) throws IOException {
    return MultiLabelReport.fromJson(StringUtf8Coder.of().decode(in));
  }
}
