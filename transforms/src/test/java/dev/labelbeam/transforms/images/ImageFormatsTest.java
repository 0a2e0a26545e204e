package dev.labelbeam.transforms.images;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.transforms.errors.Reason;
import java.util.Arrays;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

/** Every input format and every bad-input reason of the decode/resize/encode step. */
class ImageFormatsTest {
  final ImageResizer shorter32 = new ImageResizer(ResizeSpec.shorterSide(32), ImageResizer.Output.JPEG, 95,
      ImageResizer.DEFAULT_MAX_PIXELS);

  /** BGR of the decoded output's pixel at (x, y). */
  static int[] pixel(byte[] encoded, int x, int y) {
    Mat buf = new Mat(1, encoded.length, opencv_core.CV_8UC1);
    buf.data().put(encoded);
    Mat m = imdecode(buf, IMREAD_UNCHANGED);
    UByteIndexer ix = m.createIndexer();
    return new int[] {ix.get(y, x, 0), ix.get(y, x, 1), ix.get(y, x, 2)};
  }

  static boolean reddish(int[] bgr) {
    return bgr[2] > 150 && bgr[0] < 100 && bgr[1] < 100;
  }

  @Test
  void readsEveryFormat() throws Exception {
    for (String ext : new String[] {".jpg", ".png", ".bmp", ".webp", ".tiff", ".gif"}) {
      byte[] in = TestImages.encode(ext, TestImages.twoColors(96, 64, TestImages.RED, TestImages.BLUE));
      ImageHeader h = ImageHeader.read(in);
      assertEquals(96, h.width, ext);
      assertEquals(64, h.height, ext);
      ImageResizer.Resized r = shorter32.process(in);
      assertEquals(48, r.width, ext);
      assertEquals(32, r.height, ext);
      assertTrue(reddish(pixel(r.bytes, 5, 16)), ext + " left half stays red");
      assertTrue(pixel(r.bytes, 43, 16)[0] > 150, ext + " right half stays blue");
    }
  }

  @Test
  void pngVariantsGrayscaleAndCmykBecomeRgb() throws Exception {
    // half-transparent red composited on white: (20, 20, 230) at alpha 128 gives about (137, 137, 243)
    int[] half = pixel(shorter32.process(TestImages.pngWithAlpha(64, 64)).bytes, 10, 10);
    assertTrue(half[2] > 230 && half[1] > 120 && half[1] < 155 && half[0] > 120 && half[0] < 155,
        java.util.Arrays.toString(half));
    // fully transparent black is white, not black (a GIF's arrow on transparency once turned all black)
    byte[] clear = TestImages.encode(".png", new org.bytedeco.opencv.opencv_core.Mat(64, 64,
        org.bytedeco.opencv.global.opencv_core.CV_8UC4, new org.bytedeco.opencv.opencv_core.Scalar(0, 0, 0, 0)));
    int[] white = pixel(shorter32.process(clear).bytes, 10, 10);
    assertTrue(white[0] > 245 && white[1] > 245 && white[2] > 245, java.util.Arrays.toString(white));
    assertTrue(reddish(pixel(shorter32.process(TestImages.png16(64, 64)).bytes, 10, 10)), "16-bit scaled");
    byte[] palette = TestImages.palettePng(64, 64);
    assertEquals("png", ImageHeader.read(palette).format);
    assertTrue(reddish(pixel(shorter32.process(palette).bytes, 5, 10)), "palette expanded");
    int[] gray = pixel(shorter32.process(TestImages.grayJpeg(64, 64)).bytes, 10, 10);
    assertTrue(Math.abs(gray[0] - 128) < 8 && Math.abs(gray[2] - 128) < 8, Arrays.toString(gray));
    ImageResizer.Resized cmyk = shorter32.process(TestImages.cmykJpeg(64, 64));
    assertTrue(reddish(pixel(cmyk.bytes, 10, 10)), "CMYK converted: " + Arrays.toString(pixel(cmyk.bytes, 10, 10)));
  }

  @Test
  void aTransparentGifFromPillowBecomesWhiteBehindTheShape() throws Exception {
    // made by make_gif_fixture.py beside it: transparent black background, an opaque blue arrow
    byte[] gif;
    try (java.io.InputStream in = getClass().getResourceAsStream("transparent_arrow.gif")) {
      gif = in.readAllBytes();
    }
    assertEquals("gif", ImageHeader.read(gif).format);
    ImageResizer.Resized r = shorter32.process(gif);
    int[] corner = pixel(r.bytes, 1, 1);
    assertTrue(corner[0] > 245 && corner[1] > 245 && corner[2] > 245, "background: " + Arrays.toString(corner));
    int[] arrow = pixel(r.bytes, 15, 16); // the arrow's middle at half size
    assertTrue(arrow[0] > 180 && arrow[1] < 100 && arrow[2] < 80, "arrow (B, G, R): " + Arrays.toString(arrow));
  }

  @Test
  void exifOrientationIsApplied() throws Exception {
    // stored 80 wide, 40 high, red left; orientation 6 displays it 40 wide, 80 high, red on top
    ImageResizer.Resized r = shorter32.process(TestImages.jpegWithExifOrientation(80, 40, 6));
    assertEquals(32, r.width);
    assertEquals(64, r.height);
    assertTrue(reddish(pixel(r.bytes, 16, 5)), "red on top after rotation");
    assertTrue(pixel(r.bytes, 16, 58)[0] > 150, "blue at the bottom");
  }

  @Test
  void everyExifOrientationMatchesOpenCv() throws Exception {
    // our orientation handling against OpenCV's own (which we bypass for speed)
    ImageResizer exact = new ImageResizer(ResizeSpec.fit(80, 80), ImageResizer.Output.PNG, 95, 1_000_000);
    for (int o = 1; o <= 8; o++) {
      byte[] in = TestImages.withExifOrientation(TestImages.quadrantsJpeg(80, 40), o);
      assertEquals(o, ImageHeader.jpegOrientation(in));
      Mat buf = new Mat(1, in.length, opencv_core.CV_8UC1);
      buf.data().put(in);
      Mat reference = imdecode(buf, org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR);
      ImageResizer.Resized r = exact.process(in);
      assertEquals(reference.cols(), r.width, "orientation " + o);
      assertEquals(reference.rows(), r.height, "orientation " + o);
      UByteIndexer ref = reference.createIndexer();
      for (int[] xy : new int[][] {{2, 2}, {r.width - 3, 2}, {2, r.height - 3}, {r.width - 3, r.height - 3}}) {
        int[] got = pixel(r.bytes, xy[0], xy[1]);
        for (int ch = 0; ch < 3; ch++) {
          assertTrue(Math.abs(got[ch] - ref.get(xy[1], xy[0], ch)) < 40, "orientation " + o + " at " + Arrays.toString(xy));
        }
      }
    }
    assertEquals(1, ImageHeader.jpegOrientation(TestImages.jpeg(10, 10)));
  }

  @Test
  void reducedJpegDecodeStillGivesTheTargetSize() throws Exception {
    ImageResizer r256 = new ImageResizer(256, 90);
    ImageResizer.Resized big = r256.process(TestImages.jpeg(2048, 1536));
    assertEquals(341, big.width);
    assertEquals(256, big.height);
  }

  @Test
  void resizeModesAndOutputs() throws Exception {
    byte[] in = TestImages.jpeg(200, 100);
    ImageResizer fit = new ImageResizer(ResizeSpec.fit(50, 50), ImageResizer.Output.PNG, 90, 1_000_000);
    ImageResizer.Resized f = fit.process(in);
    assertEquals(50, f.width);
    assertEquals(25, f.height);
    assertEquals("png", ImageHeader.read(f.bytes).format);
    ImageResizer exact = new ImageResizer(ResizeSpec.exact(30, 40), ImageResizer.Output.RAW, 90, 1_000_000);
    ImageResizer.Resized e = exact.process(in);
    assertEquals(30 * 40 * 3, e.bytes.length);
    assertEquals("raw", e.format);
    assertTrue((e.bytes[0] & 0xff) > 150 && (e.bytes[2] & 0xff) < 100, "raw is RGB: red first");
    assertEquals("fit:320x240", ResizeSpec.parse("fit:320x240").toString());
    assertEquals("shorter:256", ResizeSpec.parse("256").toString());
    assertThrows(IllegalArgumentException.class, () -> ResizeSpec.parse("huge"));
  }

  @Test
  void badInputsGetTheirReason() {
    byte[] good = TestImages.jpeg(200, 200);
    assertReason(Reason.TRUNCATED, Arrays.copyOf(good, good.length * 6 / 10));
    assertReason(Reason.EMPTY_FILE, new byte[0]);
    assertReason(Reason.DECODE_FAILED, "just some text, not a jpeg\n".getBytes());
    assertReason(Reason.TOO_MANY_PIXELS, TestImages.pngClaiming(100_000, 100_000));
    // a JPEG header claiming 60000 x 60000 (the data is a small image)
    byte[] bomb = good.clone();
    int sof = sofOffset(bomb);
    bomb[sof + 5] = (byte) 0xEA;
    bomb[sof + 6] = 0x60;
    bomb[sof + 7] = (byte) 0xEA;
    bomb[sof + 8] = 0x60;
    assertReason(Reason.TOO_MANY_PIXELS, bomb);
    // a 20,000 x 20,000 PNG header is read without decoding: 400 MP, over the 100 MP default limit
    ImageHeader wide = ImageHeader.read(TestImages.pngClaiming(20_000, 20_000));
    assertEquals(400_000_000L, wide.pixels());
    assertReason(Reason.TOO_MANY_PIXELS, TestImages.pngClaiming(20_000, 20_000));
  }

  static int sofOffset(byte[] jpeg) {
    for (int i = 2; i < jpeg.length - 1; i++) {
      if ((jpeg[i] & 0xff) == 0xFF && (jpeg[i + 1] & 0xff) == 0xC0) {
        return i;
      }
    }
    throw new IllegalStateException("no SOF0");
  }

  private void assertReason(Reason expected, byte[] bytes) {
    ImageProcessingException e = assertThrows(ImageProcessingException.class, () -> shorter32.process(bytes));
    assertEquals(expected, e.reason(), e.getMessage());
    assertTrue(e.getMessage().length() > 5);
  }
}
