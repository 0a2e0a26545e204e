package dev.labelbeam.pipelines;

import dev.labelbeam.shard.DatasetInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The preprocess run summary: input, written and dead-lettered counts, the most frequent dead-letter
 * reasons with an example line each, and where the files are.
 */
public final class PreprocessSummary {
  /** Dead-letter reasons shown with an example. */
  static final int TOP_REASONS = 3;

  private PreprocessSummary() {}

  public static String format(DatasetInfo info, Path outputDir) {
    long written = info.records.values().stream().mapToLong(Long::longValue).sum();
    long dead = info.deadLetters.values().stream().mapToLong(Long::longValue).sum();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("  input records %d = written %d %s + dead-lettered %d %s%n",
        info.inputRecords, written, info.records, dead, info.deadLetters));
    if (info.inputRecords != written + dead) {
      sb.append(String.format("  WARNING: counts do not add up (%d != %d + %d)%n", info.inputRecords, written, dead));
    }
    List<String> top = info.deadLetters.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry::getKey))
        .limit(TOP_REASONS).map(Map.Entry::getKey).toList();
    Map<String, String> examples = examples(outputDir.resolve("dead_letter.jsonl"), top);
    for (String reason : top) {
      sb.append(String.format("  %d x %s, e.g. %s%n", info.deadLetters.get(reason), reason,
          examples.getOrDefault(reason, "(no example line found)")));
    }
    sb.append(String.format("  %d classes, shards, labels.txt, dataset.json and dead_letter.jsonl in %s%n",
        info.numClasses, outputDir));
    return sb.toString();
  }

  /** The first dead-letter line of each reason, reading only as far as needed. */
  private static Map<String, String> examples(Path file, List<String> reasons) {
    Map<String, String> out = new LinkedHashMap<>();
    if (reasons.isEmpty() || !Files.isRegularFile(file)) {
      return out;
    }
    try (BufferedReader r = Files.newBufferedReader(file)) {
      for (String line = r.readLine(); line != null && out.size() < reasons.size(); line = r.readLine()) {
        for (String reason : reasons) {
          if (!out.containsKey(reason) && line.contains("\"reason\":\"" + reason + "\"")) {
            out.put(reason, line.length() > 300 ? line.substring(0, 300) + "..." : line);
          }
        }
      }
    } catch (IOException e) {
      // the summary is a convenience: the counts above stand without examples
    }
    return out;
  }
}
