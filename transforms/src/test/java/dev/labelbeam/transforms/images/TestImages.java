package dev.labelbeam.transforms.images;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;

/** Image files of every kind the preprocess stage must handle, made in memory by the tests. */
public final class TestImages {
  private TestImages() {}

  /** A {@code w × h} BGR image: left half {@code left}, right half {@code right} (BGR scalars). */
  public static Mat twoColors(int w, int h, Scalar left, Scalar right) {
    Mat m = new Mat(h, w, opencv_core.CV_8UC3, left);
    new Mat(h, w - w / 2, opencv_core.CV_8UC3, right).copyTo(new Mat(m, new Rect(w / 2, 0, w - w / 2, h)));
    return m;
  }

  public static final Scalar RED = new Scalar(20, 20, 230, 0);
  public static final Scalar BLUE = new Scalar(230, 20, 20, 0);

  /** Encodes with OpenCV by extension ({@code .jpg}, {@code .png}, {@code .bmp}, {@code .webp}, {@code .tiff}, {@code .gif}). */
  public static byte[] encode(String ext, Mat m) {
    BytePointer b = new BytePointer();
    if (!imencode(ext, m, b)) {
      throw new IllegalStateException("OpenCV cannot encode " + ext);
    }
    byte[] out = new byte[(int) b.limit()];
    b.get(out);
    return out;
  }

  public static byte[] jpeg(int w, int h) {
    return encode(".jpg", twoColors(w, h, RED, BLUE));
  }

  /** PNG with an alpha channel (half transparent). */
  public static byte[] pngWithAlpha(int w, int h) {
    return encode(".png", new Mat(h, w, opencv_core.CV_8UC4, new Scalar(20, 20, 230, 128)));
  }

  /** 16-bit-per-channel PNG. */
  public static byte[] png16(int w, int h) {
    return encode(".png", new Mat(h, w, opencv_core.CV_16UC3, new Scalar(5000, 5000, 60000, 0)));
  }

  public static byte[] grayJpeg(int w, int h) {
    return encode(".jpg", new Mat(h, w, opencv_core.CV_8UC1, new Scalar(128)));
  }

  /** An 8-bit palette PNG (color type 3) built by hand: two palette entries, red and blue. */
  public static byte[] palettePng(int w, int h) {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    for (int y = 0; y < h; y++) {
      raw.write(0); // filter: none
      for (int x = 0; x < w; x++) {
        raw.write(x < w / 2 ? 0 : 1);
      }
    }
    Deflater d = new Deflater();
    d.setInput(raw.toByteArray());
    d.finish();
    byte[] buf = new byte[raw.size() + 1024];
    int n = d.deflate(buf);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
    chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 3).put((byte) 0)
        .put((byte) 0).put((byte) 0).array());
    chunk(png, "PLTE", new byte[] {(byte) 230, 20, 20, 20, 20, (byte) 230});
    chunk(png, "IDAT", java.util.Arrays.copyOf(buf, n));
    chunk(png, "IEND", new byte[0]);
    return png.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    out.writeBytes(t);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  /** A PNG whose header claims {@code w × h} pixels (only the header and an IEND: a decompression bomb's signature). */
  public static byte[] pngClaiming(int w, int h) {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
    chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
        .put((byte) 0).put((byte) 0).array());
    chunk(png, "IEND", new byte[0]);
    return png.toByteArray();
  }

  /**
   * A CMYK JPEG as Photoshop writes them (inverted, Adobe convention), all pure red: written as a
   * 4-channel raster by the JDK's JPEG writer.
   */
  public static byte[] cmykJpeg(int w, int h) {
    java.awt.image.WritableRaster r = java.awt.image.Raster.createInterleavedRaster(
        java.awt.image.DataBuffer.TYPE_BYTE, w, h, 4, null);
    int[] inverted = {255, 0, 0, 255}; // C 0, M 100%, Y 100%, K 0 stored inverted
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        r.setPixel(x, y, inverted);
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(ios);
      writer.write(null, new IIOImage(r, null, null), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  /**
   * A JPEG of {@code w × h} stored pixels with an EXIF APP1 segment saying orientation
   * {@code orientation} (6: rotate 90° clockwise to display).
   */
  public static byte[] jpegWithExifOrientation(int w, int h, int orientation) {
    return withExifOrientation(jpeg(w, h), orientation);
  }

  /** An image whose four quadrants differ: red, blue / green, white (so every flip and turn shows). */
  public static byte[] quadrantsJpeg(int w, int h) {
    Mat m = twoColors(w, h, RED, BLUE);
    new Mat(h - h / 2, w / 2, opencv_core.CV_8UC3, new Scalar(20, 230, 20, 0)).copyTo(new Mat(m, new Rect(0, h / 2, w / 2, h - h / 2)));
    new Mat(h - h / 2, w - w / 2, opencv_core.CV_8UC3, new Scalar(240, 240, 240, 0))
        .copyTo(new Mat(m, new Rect(w / 2, h / 2, w - w / 2, h - h / 2)));
    return encode(".jpg", m);
  }

  /** {@code jpeg} with an EXIF APP1 segment carrying {@code orientation} inserted after SOI. */
  public static byte[] withExifOrientation(byte[] jpeg, int orientation) {
    ByteBuffer tiff = ByteBuffer.allocate(26); // big-endian TIFF header + one IFD entry
    tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
    tiff.putShort((short) 1);
    tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
    tiff.putInt(0);
    byte[] exif = new byte[6 + tiff.capacity()];
    System.arraycopy("Exif\0\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, exif, 0, 6);
    System.arraycopy(tiff.array(), 0, exif, 6, tiff.capacity());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0xFF);
    out.write(0xD8);
    out.write(0xFF);
    out.write(0xE1);
    int len = exif.length + 2;
    out.write(len >> 8);
    out.write(len & 0xff);
    out.writeBytes(exif);
    out.write(jpeg, 2, jpeg.length - 2);
    return out.toByteArray();
  }
}
