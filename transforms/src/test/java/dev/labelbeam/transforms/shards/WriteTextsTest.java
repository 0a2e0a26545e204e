package dev.labelbeam.transforms.shards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A result's files are replaced all together or not at all: a disk that filled up during evaluate
 * once left a new metrics.json, an empty per_class.csv and the previous run's thresholds.json.
 */
class WriteTextsTest {

  @Test
  void aFailedWriteLeavesThePreviousFilesWholeAndNoTemporaries(@TempDir Path tmp) throws Exception {
    DatasetFiles.writeTexts(tmp.toString(), Map.of("metrics.json", "old metrics", "thresholds.json", "old thresholds"));
    Files.writeString(tmp.resolve("blocker"), "a file where a folder would be needed");
    Map<String, String> next = new LinkedHashMap<>();
    next.put("metrics.json", "new metrics");
    next.put("blocker/thresholds.json", "cannot be written");
    assertThrows(IOException.class, () -> DatasetFiles.writeTexts(tmp.toString(), next));
    assertEquals("old metrics", Files.readString(tmp.resolve("metrics.json")));
    assertEquals("old thresholds", Files.readString(tmp.resolve("thresholds.json")));
    try (var files = Files.list(tmp)) {
      assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp-")).toList());
    }

    DatasetFiles.writeTexts(tmp.toString(), Map.of("metrics.json", "new metrics", "thresholds.json", "new thresholds"));
    assertEquals("new metrics", Files.readString(tmp.resolve("metrics.json")));
    assertEquals("new thresholds", Files.readString(tmp.resolve("thresholds.json")));
  }
}
