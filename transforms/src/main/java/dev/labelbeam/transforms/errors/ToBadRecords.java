package dev.labelbeam.transforms.errors;

import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler;
import org.apache.beam.sdk.values.PCollection;

/**
 * Dead letters as Beam's standard {@link BadRecord}s, for a pipeline author's
 * {@code ErrorHandler<BadRecord, ?>} ({@code Pipeline.registerBadRecordErrorHandler}): the record is the
 * dead letter (its JSON as the human-readable form, encoded with {@link DeadLetterCoder}), the failure's
 * exception is the reason code ({@code unreadable_path}, ...) and its description the message. The
 * transforms that dead-letter take a handler with {@code withBadRecordErrorHandler} and send it the
 * same records as their dead-letter outputs, which stay as they are.
 */
public final class ToBadRecords extends PTransform<PCollection<DeadLetter>, PCollection<BadRecord>> {
  private static final long serialVersionUID = 1L;

  /** Sends {@code deadLetters} to {@code handler} as bad records; nothing when the handler is null. */
  public static void sendTo(ErrorHandler<BadRecord, ?> handler, PCollection<DeadLetter> deadLetters) {
    if (handler != null) {
      handler.addErrorCollection(deadLetters.apply("DeadLettersAsBadRecords", new ToBadRecords()));
    }
  }

  @Override
  public void populateDisplayData(org.apache.beam.sdk.transforms.display.DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(org.apache.beam.sdk.transforms.display.DisplayData.item("failure", "the dead letter's reason code, "
        + "with its message as the description").withLabel("Bad record failure"));
  }

  @Override
  public PCollection<BadRecord> expand(PCollection<DeadLetter> input) {
    return input.apply("ToBadRecord", MapElements.via(new AsBadRecord()))
        .setCoder(BadRecord.getCoder(input.getPipeline()));
  }

  static final class AsBadRecord extends SimpleFunction<DeadLetter, BadRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public BadRecord apply(DeadLetter d) {
      return BadRecord.builder()
          .setRecord(BadRecord.Record.builder().setHumanReadableJsonRecord(d.toJson())
              .addCoderAndEncodedRecord(DeadLetterCoder.of(), d).build())
          .setFailure(BadRecord.Failure.builder().setException(d.reason().code()).setDescription(d.message()).build())
          .build();
    }
  }
}
