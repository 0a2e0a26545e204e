package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.shard.DatasetInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The preprocess summary names the most frequent dead-letter reasons with an example line each. */
class PreprocessSummaryTest {

  @Test
  void topReasonsComeWithAnExample(@TempDir Path tmp) throws Exception {
    DatasetInfo info = new DatasetInfo();
    info.numClasses = 2;
    info.records.put("train", 90L);
    info.deadLetters.put("decode_failed", 2L);
    info.deadLetters.put("unreadable_path", 7L);
    info.deadLetters.put("empty_file", 1L);
    info.deadLetters.put("bad_manifest_line", 1L);
    info.inputRecords = 101;
    Files.write(tmp.resolve("dead_letter.jsonl"), List.of(
        "{\"id\":\"a.jpg\",\"path\":\"/d/a.jpg\",\"reason\":\"unreadable_path\",\"message\":\"no such file\"}",
        "{\"id\":\"b.jpg\",\"path\":\"/d/b.jpg\",\"reason\":\"decode_failed\",\"message\":\"not an image\"}",
        "{\"id\":\"c.jpg\",\"path\":\"/d/c.jpg\",\"reason\":\"unreadable_path\",\"message\":\"no such file\"}"));
    String s = PreprocessSummary.format(info, tmp);
    int unreadable = s.indexOf("7 x unreadable_path, e.g. {\"id\":\"a.jpg\"");
    int decode = s.indexOf("2 x decode_failed, e.g. {\"id\":\"b.jpg\"");
    assertTrue(unreadable >= 0 && decode > unreadable, s);
    assertTrue(s.contains("1 x bad_manifest_line, e.g. (no example line found)"), s);
    assertTrue(!s.contains("empty_file, e.g."), "only the top three reasons: " + s);
  }
}
