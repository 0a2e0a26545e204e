package dev.labelbeam.transforms.errors;

/** Why a record was dead-lettered; {@link #code()} is what reports, counters and files show. */
public enum Reason {
  /** A manifest line that cannot be parsed (wrong number of fields, empty path, bad JSON). */
  BAD_MANIFEST_LINE("bad_manifest_line"),
  /** A second manifest entry with an id already seen; the first (by path, then labels) is kept. */
  DUPLICATE_ID("duplicate_id"),
  /** A second path to a file already read (a symbolic link in an image-folder tree). */
  DUPLICATE_FILE("duplicate_file"),
  /** The image path cannot be opened or read. */
  UNREADABLE_PATH("unreadable_path"),
  /** The path is not a regular file (a folder, a FIFO, a device such as a symlink to /dev/zero): never read. */
  NOT_A_REGULAR_FILE("not_a_regular_file"),
  /** The file has zero bytes. */
  EMPTY_FILE("empty_file"),
  /** The file is larger than the maximum file size. */
  FILE_TOO_LARGE("file_too_large"),
  /** The header declares more pixels than allowed (a decompression bomb), judged before decoding. */
  TOO_MANY_PIXELS("too_many_pixels"),
  /** A recognized format whose header cannot be read, or declares a width or height of 0. */
  INVALID_HEADER("invalid_header"),
  /** Longer side over shorter side beyond the allowed ratio: its resized output would be unbounded. */
  EXTREME_ASPECT_RATIO("extreme_aspect_ratio"),
  /** The file ends before the image does (no JPEG end-of-image marker, no PNG IEND chunk). */
  TRUNCATED("truncated"),
  /**
   * A JPEG whose entropy-coded data is corrupt (a bad Huffman code, a scan cut short, bytes left over):
   * libjpeg only warns and fills the damaged part with gray. Kept only when corrupt JPEGs are accepted.
   */
  CORRUPT_DATA("corrupt_data"),
  /** The bytes are not an image OpenCV can decode (corrupt data, not an image format). */
  DECODE_FAILED("decode_failed"),
  /** A label not in the given vocabulary. */
  UNKNOWN_LABEL("unknown_label"),
  /** A predictions line that does not parse (not JSON or CSV as expected, a score that is not a finite number). */
  BAD_PREDICTION_LINE("bad_prediction_line"),
  /** A predictions line with another number of scores than there are labels. */
  WRONG_SCORE_COUNT("wrong_score_count"),
  /** A predictions score outside [0, 1] (a logit or margin where a probability is expected). */
  SCORE_OUT_OF_RANGE("score_out_of_range"),
  /** A pickled label vector with another length than there are classes. */
  WRONG_VECTOR_LENGTH("wrong_vector_length"),
  /** A pickled class index outside the classes. */
  LABEL_INDEX_OUT_OF_RANGE("label_index_out_of_range"),
  /** The image's file name is a key of the labels pickle, but two images have that name (use relative paths as keys). */
  AMBIGUOUS_FILE_NAME("ambiguous_file_name"),
  /** The labels pickle has no entry for the image (by relative path or file name). */
  NO_LABELS_ENTRY("no_labels_entry");

  private final String code;

  Reason(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
