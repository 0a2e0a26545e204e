package dev.labelbeam.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.shard.LabelBits;
import dev.labelbeam.transforms.errors.Reason;
import dev.labelbeam.transforms.images.ImageHeader;
import dev.labelbeam.transforms.images.ImageProcessingException;
import dev.labelbeam.transforms.images.ImageResizer;
import dev.labelbeam.transforms.images.ResizeSpec;
import dev.labelbeam.transforms.manifest.CsvManifestParser;
import dev.labelbeam.transforms.manifest.ManifestEntry;
import dev.labelbeam.transforms.shards.DatasetStats;
import dev.labelbeam.transforms.shards.SplitAssigner;
import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pure logic of the transforms module: manifest parsing, splits, stats, image header and resize. */
class UnitsTest {

  @Test
  void parsesManifestLines() {
    CsvManifestParser p = new CsvManifestParser("/data");
    ManifestEntry e = p.parse("img/a.jpg, cat | dog|cat");
    assertEquals("img/a.jpg", e.id());
    assertEquals("/data/img/a.jpg", e.path());
    assertEquals(List.of("cat", "dog"), e.labels());
    assertEquals("/abs/b.jpg", p.parse("/abs/b.jpg,").path());
    assertEquals(List.of(), p.parse("/abs/b.jpg,").labels());
    assertEquals("gs://bucket/c.jpg", p.parse("gs://bucket/c.jpg,x").path());
    assertEquals("a,b.jpg", p.parse("\"a,b.jpg\",x").id());
    assertTrue(p.isSkippable("path,labels"));
    assertTrue(p.isSkippable("  "));
    assertThrows(IllegalArgumentException.class, () -> p.parse("no comma"));
    assertThrows(IllegalArgumentException.class, () -> p.parse(",cat"));
    assertThrows(IllegalArgumentException.class, () -> p.parse("a.jpg,cat,dog"));
    // labels first, as a header "labels,path" (or "tags,image") says
    CsvManifestParser swapped = new CsvManifestParser("/data", new CsvManifestParser.Columns(2, 1, 0));
    assertEquals(new CsvManifestParser.Columns(2, 1, 0), CsvManifestParser.Columns.ofHeader("\uFEFFTags , Image\r"));
    assertEquals(CsvManifestParser.Columns.PATH_LABELS, CsvManifestParser.Columns.ofHeader("file,classes"));
    assertEquals(null, CsvManifestParser.Columns.ofHeader("a.jpg,cat"));
    assertEquals(List.of("cat", "dog"), swapped.parse("cat|dog,img/a.jpg").labels());
    assertEquals("/data/img/a.jpg", swapped.parse("cat|dog,img/a.jpg").path());
  }

  @Test
  void aJsonLabelWithALineBreakFailsItsLineOnly() {
    dev.labelbeam.transforms.manifest.JsonlManifestParser p = new dev.labelbeam.transforms.manifest.JsonlManifestParser("/d");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> p.parse("{\"image\": \"a.jpg\", \"labels\": [\"cat\\ndog\"]}"));
    assertTrue(e.getMessage().contains("line break"), e.getMessage());
    assertEquals(List.of("cat"), p.parse("\uFEFF{\"image\": \"a.jpg\", \"labels\": [\"cat\"]}\r").labels());
  }

  @Test
  void splitIsDeterministicAndProportional() {
    SplitAssigner a = new SplitAssigner(0.2, 0.1, "seed");
    SplitAssigner b = new SplitAssigner(0.2, 0.1, "seed");
    int val = 0;
    int test = 0;
    for (int i = 0; i < 20_000; i++) {
      String id = "images/" + i + ".jpg";
      String s = a.assign(id);
      assertEquals(s, b.assign(id));
      val += s.equals("val") ? 1 : 0;
      test += s.equals("test") ? 1 : 0;
    }
    assertEquals(0.2, val / 20_000.0, 0.01);
    assertEquals(0.1, test / 20_000.0, 0.01);
    assertThrows(IllegalArgumentException.class, () -> new SplitAssigner(0.6, 0.5, ""));
  }

  @Test
  void statsMergeInAnyOrder() {
    DatasetStats x = new DatasetStats().add("train", LabelBits.pack(new int[] {0, 9}, 10));
    DatasetStats y = new DatasetStats().add("train", LabelBits.pack(new int[] {9}, 10)).add("val", new byte[2]);
    DatasetStats xy = new DatasetStats().merge(x).merge(y);
    DatasetStats yx = new DatasetStats().merge(y).merge(x);
    assertArrayEquals(xy.positives("train", 10), yx.positives("train", 10));
    assertArrayEquals(new long[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 2}, xy.positives("train", 10));
    assertEquals(2L, xy.records().get("train"));
    assertEquals(1L, xy.records().get("val"));
  }

  @Test
  void resizesShorterSideAndReadsJpegHeader(@TempDir Path tmp) throws Exception {
    SyntheticShapes.generate(tmp, 1, 96, 1);
    byte[] jpeg = Files.readAllBytes(tmp.resolve("images/000000.jpg"));
    ImageHeader h = ImageHeader.read(jpeg);
    assertEquals("jpeg", h.format);
    assertEquals(96, h.width);
    assertEquals(96, h.height);
    assertEquals(2, ResizeSpec.shorterSide(48).jpegReduction(96, 96));
    assertEquals(8, ResizeSpec.shorterSide(256).jpegReduction(4000, 3000));
    assertEquals(4, ResizeSpec.shorterSide(256).jpegReduction(2048, 1536));
    assertEquals(1, ResizeSpec.shorterSide(256).jpegReduction(500, 375));
    assertNull(ImageHeader.read("not an image at all".getBytes()));

    ImageResizer r = new ImageResizer(32, 90);
    ImageResizer.Resized out = r.process(jpeg);
    assertEquals(32, out.width);
    assertEquals(32, out.height);
    assertEquals(32, ImageHeader.read(out.bytes).width);
    assertArrayEquals(new int[] {256, 341}, new ImageResizer(256, 90).targetSize(375, 500));
    assertArrayEquals(new int[] {341, 256}, new ImageResizer(256, 90).targetSize(500, 375));

    ImageProcessingException e = assertThrows(ImageProcessingException.class, () -> r.process(new byte[0]));
    assertEquals(Reason.EMPTY_FILE, e.reason());
    e = assertThrows(ImageProcessingException.class, () -> r.process("not an image".getBytes()));
    assertEquals(Reason.DECODE_FAILED, e.reason());
  }
}
