package dev.labelbeam.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.labelbeam.cli.LabelbeamCli;
import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * preprocess --image-folder with --labels-pickle: each image gets the labels of its entry (by relative
 * path, then by file name); an image without an entry and a file name two images share are
 * dead-lettered with their reasons, or kept unlabeled with --missing-labels empty.
 */
class PickledLabelsPreprocessTest {

  @Test
  void imagesGetTheirPickledLabelsAndTheRestAreAccountedFor(@TempDir Path tmp) throws Exception {
    Path images = SyntheticShapes.generate(tmp.resolve("gen"), 5, 32, 2).getParent().resolve("images");
    Path root = tmp.resolve("root");
    Files.createDirectories(root.resolve("sub"));
    Files.createDirectories(root.resolve("other"));
    Files.copy(images.resolve("000000.jpg"), root.resolve("a.jpg"));
    Files.copy(images.resolve("000001.jpg"), root.resolve("b.jpg"));
    Files.copy(images.resolve("000002.jpg"), root.resolve("sub/c.jpg"));
    Files.copy(images.resolve("000003.jpg"), root.resolve("d.jpg"));         // no entry
    Files.copy(images.resolve("000004.jpg"), root.resolve("other/a.jpg"));   // a file name two images share
    Path pickle = tmp.resolve("labels.pckl");
    try (InputStream in = getClass().getResourceAsStream("/dev/labelbeam/transforms/labels/numpy_bool_p5.pckl")) {
      Files.write(pickle, in.readAllBytes());
    }
    Path labels = tmp.resolve("labels.txt");
    Files.write(labels, List.of("cat", "dog", "car"));

    Path out = tmp.resolve("out");
    StringWriter err = new StringWriter();
    int code = LabelbeamCli.commandLine().setErr(new PrintWriter(err)).execute("preprocess", "--image-folder",
        root.toString(), "--labels-pickle", pickle.toString(), "--labels", labels.toString(), "--output",
        out.toString(), "--val-fraction", "0", "--resize", "shorter:16", "--max-bad-fraction", "1",
        "--runner=DirectRunner");
    assertEquals(0, code, err.toString());
    DatasetInfo info = DatasetInfo.read(out.resolve(DatasetInfo.FILE_NAME));
    assertEquals(3, info.records("train"));
    assertEquals(Map.of("ambiguous_file_name", 1L, "no_labels_entry", 1L), info.deadLetters);
    assertEquals(5, info.inputRecords);
    assertArrayEquals(new long[] {1, 1, 1}, info.positiveCounts("train"), "a.jpg: cat, car; sub/c.jpg: dog");
    assertEquals(List.of("cat", "dog", "car"), LabelVocabulary.read(out.resolve("labels.txt")).names());

    Path kept = tmp.resolve("kept");
    assertEquals(0, LabelbeamCli.commandLine().execute("preprocess", "--image-folder", root.toString(),
        "--labels-pickle", pickle.toString(), "--labels", labels.toString(), "--missing-labels", "empty", "--output",
        kept.toString(), "--val-fraction", "0", "--resize", "shorter:16", "--max-bad-fraction", "1",
        "--runner=DirectRunner"));
    DatasetInfo withEmpty = DatasetInfo.read(kept.resolve(DatasetInfo.FILE_NAME));
    assertEquals(4, withEmpty.records("train"), "d.jpg kept, all negative");
    assertEquals(Map.of("ambiguous_file_name", 1L), withEmpty.deadLetters);
  }
}
