package dev.labelbeam.shard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON mapping of labelbeam's files ({@code dataset.json}, {@code metrics.json},
 * {@code thresholds.json}, {@code model.json}): indented output of public fields, and a reading error
 * that names the kind of file that was expected.
 */
public final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Json() {}

  /** The value as indented JSON. */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Parses {@code json} as a {@code type}.
   *
   * @param what the kind of file, for the message ({@code "dataset.json"})
   * @throws IllegalArgumentException naming {@code what} when the text does not parse
   */
  public static <T> T read(String json, Class<T> type, String what) {
    try {
      return MAPPER.readValue(json, type);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a valid " + what + ": " + e.getMessage(), e);
    }
  }

  /** Whether two values write the same JSON (equality of the plain-field file types). */
  public static boolean sameJson(Object a, Object b) {
    return a != null && b != null && a.getClass() == b.getClass() && write(a).equals(write(b));
  }
}
