package dev.labelbeam.transforms.shards;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.LabelVocabulary;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * Builds {@code dataset.json} from the pipeline's statistics, and writes it and {@code labels.txt}
 * through Beam's {@link FileSystems} (any filesystem Beam knows).
 */
public final class DatasetFiles {
  private DatasetFiles() {}

  /**
   * Assembles a {@link DatasetInfo}. {@code inputRecords} is counted independently of the outputs,
   * so that a reader can check {@code inputRecords == sum(records) + sum(deadLetters)}.
   */
  public static DatasetInfo info(
      DatasetStats stats,
      LabelVocabulary vocab,
      List<String> splits,
      Map<String, ? extends Iterable<String>> shardNames,
      Map<String, Long> deadLetters,
      long inputRecords,
      int shorterSide,
      Map<String, String> options) {
    DatasetInfo info = new DatasetInfo();
    info.numClasses = vocab.size();
    info.imageHeight = shorterSide;
    info.imageWidth = shorterSide;
    info.imageFormat = "jpeg";
    for (String s : splits) {
      info.records.put(s, stats.records().getOrDefault(s, 0L));
      info.positiveCounts.put(s, stats.positives(s, vocab.size()));
      List<String> names = new ArrayList<>();
      Iterable<String> got = shardNames.get(s);
      if (got != null) {
        got.forEach(names::add);
      }
      Collections.sort(names);
      info.shards.put(s, names);
    }
    info.deadLetters.putAll(new java.util.TreeMap<>(deadLetters));
    info.inputRecords = inputRecords;
    info.options.putAll(options);
    return info;
  }

  /** Writes UTF-8 text to {@code dir/name}, replacing what is there. */
  public static void writeText(String dir, String name, String text) throws IOException {
    ResourceId file = FileSystems.matchNewResource(dir, true).resolve(
        name, org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
    try (OutputStream out = Channels.newOutputStream(FileSystems.create(file, "text/plain"))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }
}
