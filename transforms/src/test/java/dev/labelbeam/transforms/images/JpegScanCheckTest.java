package dev.labelbeam.transforms.images;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_OPTIMIZE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_PROGRESSIVE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_RST_INTERVAL;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR_411;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR_422;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR_440;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR_444;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.transforms.errors.Reason;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

/**
 * libjpeg's "Corrupt JPEG data" warnings, which OpenCV drops: JPEGs of every coding this check walks
 * (baseline with each chroma subsampling, optimized tables, progressive, restart intervals, grayscale,
 * odd sizes, two encoders) pass untouched, and the same files damaged as web files are (random bytes
 * or zeros mid-scan, a scan cut short with an end marker, a wrong restart marker, bytes before the end)
 * are found. Every image is made here; `benchmarks/scripts/jpeg-check-vs-djpeg.sh` compares the
 * verdicts with libjpeg-turbo's own on real photographs.
 */
class JpegScanCheckTest {

  /** A photo-like BGR image: smooth gradients, a few edges and sensor noise (many nonzero coefficients). */
  static Mat photoLike(int w, int h, long seed) {
    Random rnd = new Random(seed);
    byte[] px = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int edge = (x * 3 + y * 2) % 97 < 40 ? 60 : 0;
        for (int c = 0; c < 3; c++) {
          int v = 40 + (x * (c + 1) * 160) / w + (y * 90) / h / (c + 1) + edge + (int) (rnd.nextGaussian() * 12);
          px[(y * w + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v));
        }
      }
    }
    Mat m = new Mat(h, w, opencv_core.CV_8UC3);
    m.data().put(px);
    return m;
  }

  static byte[] opencvJpeg(Mat m, int... params) {
    int[] p = new int[params.length + 2];
    p[0] = IMWRITE_JPEG_QUALITY;
    p[1] = 90;
    System.arraycopy(params, 0, p, 2, params.length);
    BytePointer out = new BytePointer();
    assertTrue(imencode(".jpg", m, out, new IntPointer(p)));
    byte[] b = new byte[(int) out.limit()];
    out.get(b);
    return b;
  }

  /** A progressive JPEG from the JDK's own encoder (libjpeg 6b), a second encoder's choices. */
  static byte[] imageioProgressive(int w, int h) throws Exception {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Random rnd = new Random(3);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int g = Math.min(255, Math.max(0, (x * 255) / w + (int) (rnd.nextGaussian() * 10)));
        img.setRGB(x, y, (g << 16) | ((255 - g) << 8) | ((y * 255) / h));
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(img, null, null), param);
    }
    writer.dispose();
    return bytes.toByteArray();
  }

  /** Valid files of each coding, by name. */
  static Map<String, byte[]> validFiles() throws Exception {
    Mat photo = photoLike(203, 141, 1);
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("baseline 4:2:0", opencvJpeg(photo));
    files.put("baseline 4:4:4", opencvJpeg(photo, IMWRITE_JPEG_SAMPLING_FACTOR, IMWRITE_JPEG_SAMPLING_FACTOR_444));
    files.put("baseline 4:2:2", opencvJpeg(photo, IMWRITE_JPEG_SAMPLING_FACTOR, IMWRITE_JPEG_SAMPLING_FACTOR_422));
    files.put("baseline 4:4:0", opencvJpeg(photo, IMWRITE_JPEG_SAMPLING_FACTOR, IMWRITE_JPEG_SAMPLING_FACTOR_440));
    files.put("baseline 4:1:1", opencvJpeg(photo, IMWRITE_JPEG_SAMPLING_FACTOR, IMWRITE_JPEG_SAMPLING_FACTOR_411));
    files.put("optimized tables", opencvJpeg(photo, IMWRITE_JPEG_OPTIMIZE, 1));
    files.put("progressive", opencvJpeg(photo, IMWRITE_JPEG_PROGRESSIVE, 1));
    files.put("progressive 4:4:4", opencvJpeg(photo, IMWRITE_JPEG_PROGRESSIVE, 1,
        IMWRITE_JPEG_SAMPLING_FACTOR, IMWRITE_JPEG_SAMPLING_FACTOR_444));
    files.put("restart every MCU row", opencvJpeg(photo, IMWRITE_JPEG_RST_INTERVAL, 13));
    files.put("restart every MCU", opencvJpeg(photo, IMWRITE_JPEG_RST_INTERVAL, 1));
    files.put("progressive with restarts", opencvJpeg(photo, IMWRITE_JPEG_PROGRESSIVE, 1, IMWRITE_JPEG_RST_INTERVAL, 5));
    Mat gray = new Mat();
    org.bytedeco.opencv.global.opencv_imgproc.cvtColor(photo, gray, org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY);
    files.put("grayscale", opencvJpeg(gray));
    files.put("grayscale progressive", opencvJpeg(gray, IMWRITE_JPEG_PROGRESSIVE, 1));
    files.put("1x1", opencvJpeg(photoLike(1, 1, 2)));
    files.put("17x9", opencvJpeg(photoLike(17, 9, 3), IMWRITE_JPEG_PROGRESSIVE, 1));
    files.put("JDK encoder, progressive", imageioProgressive(150, 97));
    return files;
  }

  /** The largest scan's entropy-coded data, {@code [start, end)}: where damage lands in a large file. */
  static int[] largestScan(byte[] b) {
    int[] best = {0, 0};
    int i = 2;
    while (i + 3 < b.length && (b[i + 1] & 0xff) != 0xD9) {
      int j = i + 2 + (((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff));
      if ((b[i + 1] & 0xff) == 0xDA) {
        int start = j;
        while (j + 1 < b.length && !isMarker(b[j], b[j + 1])) {
          j++;
        }
        if (j - start > best[1] - best[0]) {
          best = new int[] {start, j};
        }
      }
      i = j;
    }
    return best;
  }

  /** FF followed by anything but a stuffed 00 or a restart marker. */
  private static boolean isMarker(byte b0, byte b1) {
    int m = b1 & 0xff;
    return (b0 & 0xff) == 0xFF && m != 0 && (m < 0xD0 || m > 0xD7);
  }

  static int scanBytes(byte[] b) {
    int[] s = largestScan(b);
    return s[1] - s[0];
  }

  /** The file with bytes of its largest scan, from a third of the way in, replaced by {@code fill}. */
  static byte[] overwritten(byte[] b, byte[] fill) {
    int[] s = largestScan(b);
    byte[] c = b.clone();
    System.arraycopy(fill, 0, c, s[0] + (s[1] - s[0]) / 3, fill.length);
    return c;
  }

  static byte[] randomBytes(int n, long seed) {
    byte[] r = new byte[n];
    new Random(seed).nextBytes(r);
    return r;
  }

  /** The file cut in the middle of its largest scan, with an end marker appended (a transfer cut short). */
  static byte[] cutWithEndMarker(byte[] b) {
    int[] s = largestScan(b);
    int at = s[0] + (s[1] - s[0]) / 2;
    if ((b[at - 1] & 0xff) == 0xFF) {
      at--;
    }
    byte[] c = java.util.Arrays.copyOf(b, at + 2);
    c[at] = (byte) 0xFF;
    c[at + 1] = (byte) 0xD9;
    return c;
  }

  @Test
  void validFilesOfEveryCodingPass() throws Exception {
    for (Map.Entry<String, byte[]> e : validFiles().entrySet()) {
      assertEquals(Optional.empty(), JpegScanCheck.problem(e.getValue()), e.getKey());
    }
  }

  /**
   * Huffman codes resynchronize: damaged data sometimes decodes to exactly the right number of blocks,
   * and then no decoder can tell (libjpeg-turbo's djpeg misses the same files, see the benchmark
   * script). Most damage is found.
   */
  @Test
  void randomBytesMidScanAreFound() throws Exception {
    List<String> missed = new ArrayList<>();
    int tried = 0;
    for (Map.Entry<String, byte[]> e : validFiles().entrySet()) {
      byte[] b = e.getValue();
      if (scanBytes(b) < 1000) {
        continue; // too small to take 256 bytes a third of the way in
      }
      for (long seed = 0; seed < 8; seed++) {
        tried++;
        if (JpegScanCheck.problem(overwritten(b, randomBytes(256, seed))).isEmpty()) {
          missed.add(e.getKey() + " seed " + seed);
        }
      }
    }
    assertTrue(tried >= 80, "tried " + tried);
    assertTrue(missed.size() <= tried / 10, tried + " tried, missed: " + missed);
  }

  @Test
  void zerosMidScanAreFound() throws Exception {
    for (String name : List.of("baseline 4:2:0", "progressive", "restart every MCU row", "grayscale")) {
      byte[] b = validFiles().get(name);
      int n = Math.min(4096, scanBytes(b) / 2);
      assertTrue(JpegScanCheck.problem(overwritten(b, new byte[n])).isPresent(), name);
    }
  }

  @Test
  void aScanCutShortWithAnEndMarkerIsAPrematureEnd() throws Exception {
    for (String name : List.of("baseline 4:2:0", "progressive", "restart every MCU row", "grayscale progressive")) {
      Optional<String> p = JpegScanCheck.problem(cutWithEndMarker(validFiles().get(name)));
      assertTrue(p.isPresent() && p.get().startsWith("premature end of data segment in scan "), name + ": " + p);
    }
  }

  @Test
  void aWrongRestartMarkerIsFound() throws Exception {
    byte[] b = validFiles().get("restart every MCU row");
    int scan = largestScan(b)[0];
    int rst3 = -1;
    for (int i = scan; i + 1 < b.length; i++) {
      if ((b[i] & 0xff) == 0xFF && (b[i + 1] & 0xff) == 0xD3) {
        rst3 = i;
        break;
      }
    }
    assertTrue(rst3 > 0, "the encoder wrote RST3");
    byte[] c = b.clone();
    c[rst3 + 1] = (byte) 0xD5;
    assertEquals(Optional.of("found marker 0xd5 instead of RST3 in scan 1 at MCU 53 of 117"), JpegScanCheck.problem(c));
  }

  @Test
  void bytesLeftBeforeTheEndMarkerAreFound() throws Exception {
    for (String name : List.of("baseline 4:2:0", "progressive")) {
      byte[] b = validFiles().get(name);
      byte[] c = java.util.Arrays.copyOf(b, b.length + 3);
      System.arraycopy(new byte[] {0, 0, 0, (byte) 0xFF, (byte) 0xD9}, 0, c, b.length - 2, 5);
      Optional<String> p = JpegScanCheck.problem(c);
      assertTrue(p.isPresent() && p.get().startsWith("3 extraneous bytes after the last of "), name + ": " + p);
      // 0xFF fill bytes before a marker are allowed by the standard
      System.arraycopy(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xD9}, 0, c, b.length - 2, 5);
      assertEquals(Optional.empty(), JpegScanCheck.problem(c), name + " with fill bytes");
    }
  }

  @Test
  void aBadHuffmanCodeIsFound() throws Exception {
    // sixteen 1 bits are no code of any table libjpeg accepts (the all-ones code is refused)
    byte[] b = validFiles().get("baseline 4:2:0");
    Optional<String> p = JpegScanCheck.problem(overwritten(b, new byte[] {(byte) 0xFF, 0, (byte) 0xFF, 0, (byte) 0xFF, 0}));
    assertTrue(p.isPresent() && p.get().startsWith("bad Huffman code in scan 1 at MCU "), String.valueOf(p));
  }

  @Test
  void whatLibjpegRefusesOrDoesNotCodeThisWayIsLeftToTheDecoder() throws Exception {
    byte[] b = validFiles().get("baseline 4:2:0");
    // arithmetic coding (SOF9): not judged
    byte[] arithmetic = b.clone();
    for (int i = 2; i + 1 < arithmetic.length; i++) {
      if ((arithmetic[i] & 0xff) == 0xFF && (arithmetic[i + 1] & 0xff) == 0xC0) {
        arithmetic[i + 1] = (byte) 0xC9;
        break;
      }
    }
    assertEquals(Optional.empty(), JpegScanCheck.problem(arithmetic));
    // no end marker: the truncation check's verdict, not this one
    assertEquals(Optional.empty(), JpegScanCheck.problem(java.util.Arrays.copyOf(b, b.length / 2)));
    // not a JPEG
    assertEquals(Optional.empty(), JpegScanCheck.problem(new byte[] {1, 2, 3}));
  }

  /** Every cut and every single-bit flip of small files: a verdict each time, never an exception. */
  @Test
  void everyCutAndBitFlipOfASmallFileIsJudgedWithoutAnException() {
    Mat small = photoLike(24, 16, 5);
    for (byte[] b : List.of(opencvJpeg(small), opencvJpeg(small, IMWRITE_JPEG_PROGRESSIVE, 1),
        opencvJpeg(small, IMWRITE_JPEG_PROGRESSIVE, 1, IMWRITE_JPEG_RST_INTERVAL, 1))) {
      for (int n = 0; n <= b.length; n++) {
        JpegScanCheck.problem(java.util.Arrays.copyOf(b, n));
      }
      for (int i = 0; i < b.length * 8; i++) {
        byte[] c = b.clone();
        c[i / 8] ^= (byte) (1 << (i % 8));
        JpegScanCheck.problem(c);
      }
    }
  }

  /** Each scan is a pass over the frame: a small file of thousands of scans is refused, not walked for minutes. */
  @Test
  void moreThanAThousandScansAreRefused() throws Exception {
    byte[] b = opencvJpeg(photoLike(24, 16, 5), IMWRITE_JPEG_PROGRESSIVE, 1);
    // the first scan (DC coefficients, which depend on no earlier scan), repeated after itself
    int sos = 2;
    while ((b[sos + 1] & 0xff) != 0xDA) {
      sos += 2 + (((b[sos + 2] & 0xff) << 8) | (b[sos + 3] & 0xff));
    }
    int end = sos + 2 + (((b[sos + 2] & 0xff) << 8) | (b[sos + 3] & 0xff));
    while (!isMarker(b[end], b[end + 1])) {
      end++;
    }
    ByteArrayOutputStream many = new ByteArrayOutputStream();
    many.write(b, 0, end);
    for (int k = 0; k < JpegScanCheck.MAX_SCANS; k++) {
      many.write(b, sos, end - sos);
    }
    many.write(b, end, b.length - end);
    assertEquals(Optional.of("more than 1,000 scans"), JpegScanCheck.problem(many.toByteArray()));
  }

  @Test
  void aPhotoWithALargeDamagedPartDecodesWithoutErrorWhichIsWhyTheCheckExists() throws Exception {
    byte[] damaged = overwritten(validFiles().get("baseline 4:2:0"), randomBytes(256, 1));
    Mat buf = new Mat(1, damaged.length, opencv_core.CV_8UC1);
    buf.data().put(damaged);
    Mat img = imdecode(buf, org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR);
    assertFalse(img.empty(), "OpenCV returns an image and no error");
    assertTrue(JpegScanCheck.problem(damaged).isPresent());
  }

  @Test
  void theResizerDeadLettersCorruptJpegsUnlessTheyAreAccepted() throws Exception {
    byte[] damaged = overwritten(validFiles().get("progressive"), randomBytes(256, 2));
    ImageResizer strict = ImageOptions.defaults().withShorterSide(32).resizer();
    ImageProcessingException e = assertThrows(ImageProcessingException.class, () -> strict.process(damaged));
    assertEquals(Reason.CORRUPT_DATA, e.reason());
    assertTrue(e.getMessage().startsWith("corrupt JPEG data: "), e.getMessage());
    ImageResizer lenient = ImageOptions.defaults().withShorterSide(32).withAcceptCorruptJpeg(true).resizer();
    assertEquals(32, lenient.process(damaged).height);
  }
}
