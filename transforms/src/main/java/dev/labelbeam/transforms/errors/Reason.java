package dev.labelbeam.transforms.errors;

/** Why a record was dead-lettered; {@link #code()} is what reports and counters show. */
public enum Reason {
  /** A manifest line that cannot be parsed (wrong number of fields, empty path). */
  BAD_MANIFEST_LINE("bad_manifest_line"),
  /** The image path cannot be opened or read. */
  UNREADABLE_PATH("unreadable_path"),
  /** The file has zero bytes. */
  EMPTY_FILE("empty_file"),
  /** The bytes are not an image OpenCV can decode (truncated, corrupt, not an image). */
  DECODE_FAILED("decode_failed"),
  /** A label not in the given vocabulary. */
  UNKNOWN_LABEL("unknown_label"),
  /** The decoded image is too large to process. */
  TOO_LARGE("too_large");

  private final String code;

  Reason(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
