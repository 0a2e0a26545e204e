package dev.labelbeam.transforms.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.transforms.errors.Reason;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Crafted files that once got past the checks (every one is made here, from a small image OpenCV
 * encodes): a JPEG with a junk byte after APP0 whose header our reader skipped, so a claimed 20000×20000
 * was decoded at full size (1.6 GB); a 139-byte 1×30,000 PNG that asked for a 6 GB output; valid files
 * with data after their end marker, refused as truncated; a width of 0 reported as too many pixels.
 */
class HostileImagesTest {
  private final ImageResizer shorter32 = new ImageResizer(ResizeSpec.shorterSide(32), ImageResizer.Output.JPEG, 90,
      ImageResizer.DEFAULT_MAX_PIXELS);

  private Reason reasonFor(byte[] file) {
    return assertThrows(ImageProcessingException.class, () -> shorter32.process(file)).reason();
  }

  /** The JPEG with one junk byte inserted after its APP0 segment (libjpeg skips it with a warning). */
  private static byte[] junkAfterApp0(byte[] jpeg) {
    assertEquals(0xE0, jpeg[3] & 0xff, "the encoder writes APP0 first");
    int app0End = 4 + (((jpeg[4] & 0xff) << 8) | (jpeg[5] & 0xff));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, app0End);
    out.write(0x42);
    out.write(jpeg, app0End, jpeg.length - app0End);
    return out.toByteArray();
  }

  /** The JPEG with its frame size rewritten (the scan data stays that of the small image). */
  private static byte[] claimingSize(byte[] jpeg, int w, int h) {
    byte[] b = jpeg.clone();
    for (int i = 2; i + 9 < b.length; i++) {
      if ((b[i] & 0xff) == 0xFF && ((b[i + 1] & 0xff) == 0xC0 || (b[i + 1] & 0xff) == 0xC2)) {
        b[i + 5] = (byte) (h >> 8);
        b[i + 6] = (byte) h;
        b[i + 7] = (byte) (w >> 8);
        b[i + 8] = (byte) w;
        return b;
      }
    }
    throw new AssertionError("no SOF marker");
  }

  @Test
  void aJunkByteAfterApp0NoLongerHidesTheHeader() throws Exception {
    byte[] junk = junkAfterApp0(TestImages.jpeg(64, 48));
    assertEquals("jpeg 64x48", ImageHeader.read(junk).toString(), "read as libjpeg reads it");
    assertEquals(32, shorter32.process(junk).height, "and still decoded");
    byte[] bomb = junkAfterApp0(claimingSize(TestImages.jpeg(64, 48), 20000, 20000));
    Runtime rt = Runtime.getRuntime();
    long before = rt.totalMemory() - rt.freeMemory();
    assertEquals(Reason.TOO_MANY_PIXELS, reasonFor(bomb));
    long grew = rt.totalMemory() - rt.freeMemory() - before;
    assertTrue(grew < 64L << 20, "refused before decoding; heap grew by " + grew);
  }

  @Test
  void aHeaderThatCannotBeReadIsRefusedNotDecodedUnchecked() {
    byte[] jpeg = TestImages.jpeg(64, 48);
    byte[] noFrame = Arrays.copyOf(jpeg, 20); // SOI and a cut APP0: the file ends in its header
    assertEquals(Reason.TRUNCATED, reasonFor(noFrame));
    byte[] garbledFrame = jpeg.clone(); // a whole file whose frame marker is gone: the header cannot be read
    for (int i = 2; i + 1 < garbledFrame.length; i++) {
      if ((garbledFrame[i] & 0xff) == 0xFF && ((garbledFrame[i + 1] & 0xff) == 0xC0 || (garbledFrame[i + 1] & 0xff) == 0xC2)) {
        garbledFrame[i + 1] = (byte) 0xC8; // JPG extension marker: not a frame
        break;
      }
    }
    assertEquals(Reason.INVALID_HEADER, reasonFor(garbledFrame));
    byte[] ppm = "P6\n4 4\n255\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    ImageProcessingException e = assertThrows(ImageProcessingException.class,
        () -> shorter32.process(Arrays.copyOf(ppm, ppm.length + 48)));
    assertEquals(Reason.DECODE_FAILED, e.reason());
    assertTrue(e.getMessage().contains("not a supported image format"), e.getMessage());
  }

  @Test
  void anExtremeAspectRatioIsRefusedBeforeDecoding() {
    byte[] line = TestImages.encode(".png", new org.bytedeco.opencv.opencv_core.Mat(30_000, 1,
        org.bytedeco.opencv.global.opencv_core.CV_8UC3, new org.bytedeco.opencv.opencv_core.Scalar(0, 0, 0, 0)));
    assertTrue(line.length < 2000, "a tiny file: " + line.length);
    assertEquals(Reason.EXTREME_ASPECT_RATIO, reasonFor(line));
    // with the ratio allowed, the output pixel limit still holds: 1 × 400,000 asks for 32 × 12,800,000
    byte[] longer = TestImages.encode(".png", new org.bytedeco.opencv.opencv_core.Mat(400_000, 1,
        org.bytedeco.opencv.global.opencv_core.CV_8UC3, new org.bytedeco.opencv.opencv_core.Scalar(0, 0, 0, 0)));
    ImageResizer anyRatio = new ImageResizer(ResizeSpec.shorterSide(32), ImageResizer.Output.JPEG, 90,
        ImageResizer.DEFAULT_MAX_PIXELS, 1_000_000);
    ImageProcessingException e = assertThrows(ImageProcessingException.class, () -> anyRatio.process(longer));
    assertEquals(Reason.TOO_MANY_PIXELS, e.reason());
    assertTrue(e.getMessage().contains("the output of"), e.getMessage());
  }

  @Test
  void aWidthOfZeroIsAnInvalidHeader() {
    byte[] png = TestImages.encode(".png", TestImages.twoColors(8, 8, TestImages.RED, TestImages.BLUE)).clone();
    png[16] = png[17] = png[18] = png[19] = 0; // IHDR width = 0
    assertEquals(Reason.INVALID_HEADER, reasonFor(png));
  }

  @Test
  void dataAfterTheEndMarkerIsAllowedAndACutFileIsNot() throws Exception {
    byte[] tail = new byte[10_000];
    new java.util.Random(1).nextBytes(tail);
    for (byte[] image : new byte[][] {TestImages.jpeg(64, 48),
        TestImages.encode(".png", TestImages.twoColors(64, 48, TestImages.RED, TestImages.BLUE))}) {
      byte[] withTail = Arrays.copyOf(image, image.length + tail.length);
      System.arraycopy(tail, 0, withTail, image.length, tail.length);
      assertEquals(32, shorter32.process(withTail).height, "an appended thumbnail or video is not a cut file");
      assertEquals(Reason.TRUNCATED, reasonFor(Arrays.copyOf(image, image.length * 2 / 3)));
    }
  }
}
