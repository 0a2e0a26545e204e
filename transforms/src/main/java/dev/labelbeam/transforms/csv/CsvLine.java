package dev.labelbeam.transforms.csv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The fields of one CSV line as RFC 4180 and the tools people use write it (Python's {@code csv} in
 * every quoting mode, pandas, spreadsheets): fields in double quotes may hold commas, {@code |} and
 * doubled quotes ({@code "say ""hi"""} is {@code say "hi"}); a UTF-8 byte-order mark, a CR line end
 * and white space around a field are ignored. Parsed by Apache Commons CSV, the parser behind Beam's
 * own {@code CsvIO}.
 *
 * <p>labelbeam reads CSV files line by line (Beam's {@code TextIO} splits them across workers), so a
 * quoted field that spans lines arrives as two halves. Each half has an odd number of quotes, and so
 * does every other line whose quotes do not pair up: such a line is refused with a message naming it,
 * never read as a record with a quote inside a field.
 */
public final class CsvLine {
  private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setIgnoreSurroundingSpaces(true).get();

  private CsvLine() {}

  /**
   * The fields of {@code line}.
   *
   * @throws IllegalArgumentException with a message fit for a dead-letter record when the line's
   *     quotes do not pair up or a quoted field is followed by other characters
   */
  public static List<String> fields(String line) {
    String t = line.startsWith("\uFEFF") ? line.substring(1) : line;
    t = t.strip();
    if (t.chars().filter(c -> c == '"').count() % 2 != 0) {
      throw new IllegalArgumentException("unbalanced quotes in CSV line (a quoted field cannot span lines; "
          + "write a line break inside a field some other way): " + abbreviate(t));
    }
    try (CSVParser p = CSVParser.parse(t, FORMAT)) {
      List<CSVRecord> records = p.getRecords();
      if (records.isEmpty()) {
        return List.of("");
      }
      if (records.size() > 1) {
        throw new IllegalArgumentException("a CSV line holds a line break: " + abbreviate(t));
      }
      List<String> out = new ArrayList<>(records.get(0).size());
      records.get(0).forEach(out::add);
      return out;
    } catch (UncheckedIOException | IOException | IllegalStateException e) {
      throw new IllegalArgumentException("not a CSV line (" + firstLineOf(e.getMessage()) + "): " + abbreviate(t));
    }
  }

  private static String firstLineOf(String m) {
    return m == null ? "malformed" : m.lines().findFirst().orElse(m);
  }

  /** The line shortened for a message. */
  public static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
