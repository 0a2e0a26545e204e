package dev.labelbeam.pipelines;

import dev.labelbeam.shard.DatasetInfo;
import java.nio.file.Path;

/** The preprocess run summary: input, written and dead-lettered counts, and where the files are. */
public final class PreprocessSummary {
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
    sb.append(String.format("  %d classes, shards, labels.txt, dataset.json and dead_letter.jsonl in %s%n",
        info.numClasses, outputDir));
    return sb.toString();
  }
}
