package dev.labelbeam.transforms.images;

import dev.labelbeam.transforms.errors.Reason;

/** An image that cannot be turned into a shard record, with the dead-letter reason. */
public final class ImageProcessingException extends Exception {
  private static final long serialVersionUID = 1L;
  private final Reason reason;

  public ImageProcessingException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
