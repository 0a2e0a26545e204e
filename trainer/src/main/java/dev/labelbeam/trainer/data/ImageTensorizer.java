package dev.labelbeam.trainer.data;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.io.Serializable;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Turns an encoded image into the model's input: decode (OpenCV), resize the shorter side to
 * {@code size}, center crop to {@code size × size}, optionally flip horizontally, and write RGB
 * floats in CHW order normalized with ImageNet's mean and standard deviation (torchvision's
 * convention) into a caller's buffer.
 *
 * <p>Thread-safe; each call owns its native memory.
 */
public final class ImageTensorizer implements Serializable {
  private static final long serialVersionUID = 1L;

  /** ImageNet mean and std, RGB, as torchvision's {@code Normalize} uses them. */
  public static final float[] MEAN = {0.485f, 0.456f, 0.406f};
  public static final float[] STD = {0.229f, 0.224f, 0.225f};

  private final int size;

  public ImageTensorizer(int size) {
    if (size < 8 || size > 4096) {
      throw new IllegalArgumentException("size must be in [8, 4096], was " + size);
    }
    this.size = size;
  }

  public int size() {
    return size;
  }

  /** Floats per image: {@code 3 × size × size}. */
  public int floatsPerImage() {
    return 3 * size * size;
  }

  /**
   * Writes a shard record's image into {@code dst[offset ..offset + floatsPerImage())}: encoded
   * images are decoded, {@code raw} ones (RGB bytes of {@code height × width}) used as they are.
   *
   * @throws IllegalArgumentException when the image does not decode or a raw image has the wrong size
   */
  public void tensorize(dev.labelbeam.shard.ImageRecord r, boolean flip, float[] dst, int offset) {
    try (PointerScope scope = new PointerScope()) {
      fromBgr(toBgr(r), flip, dst, offset);
    }
  }

  /**
   * Like {@link #tensorize(dev.labelbeam.shard.ImageRecord, boolean, float[], int)} with the train
   * augmentation drawn from {@code rnd} (null when {@code augment} is {@link Augment#none()}).
   */
  public void tensorize(dev.labelbeam.shard.ImageRecord r, Augment augment, java.util.Random rnd, float[] dst, int offset) {
    try (PointerScope scope = new PointerScope()) {
      augmented(toBgr(r), augment, rnd, dst, offset);
    }
  }

  /**
   * Decodes {@code encoded} into {@code dst[offset ..offset + floatsPerImage())}.
   *
   * @throws IllegalArgumentException when the bytes do not decode
   */
  public void tensorize(byte[] encoded, boolean flip, float[] dst, int offset) {
    try (PointerScope scope = new PointerScope()) {
      fromBgr(decode(encoded, "image"), flip, dst, offset);
    }
  }

  /** A record's image as BGR pixels: decoded, or a {@code raw} RGB image converted. Call inside a {@code PointerScope}. */
  private static Mat toBgr(dev.labelbeam.shard.ImageRecord r) {
    if (!"raw".equals(r.format())) {
      return decode(r.encoded(), "image " + r.id());
    }
    byte[] rgb = r.encoded();
    if ((long) r.width() * r.height() * 3 != rgb.length || r.width() <= 0) {
      throw new IllegalArgumentException("raw image " + r.id() + " has " + rgb.length + " bytes, not 3 x "
          + r.width() + " x " + r.height());
    }
    Mat m = new Mat(r.height(), r.width(), opencv_core.CV_8UC3);
    m.data().put(rgb);
    Mat bgr = new Mat();
    org.bytedeco.opencv.global.opencv_imgproc.cvtColor(m, bgr, org.bytedeco.opencv.global.opencv_imgproc.COLOR_RGB2BGR);
    return bgr;
  }

  /** Decodes encoded bytes to BGR pixels. Call inside a {@code PointerScope}. */
  private static Mat decode(byte[] encoded, String what) {
    Mat buf = new Mat(1, encoded.length, opencv_core.CV_8UC1);
    buf.data().put(encoded);
    Mat img = imdecode(buf, IMREAD_COLOR);
    if (img == null || img.empty()) {
      throw new IllegalArgumentException(what + " does not decode (" + encoded.length + " bytes)");
    }
    return img;
  }

  private void augmented(Mat img, Augment augment, java.util.Random rnd, float[] dst, int offset) {
    boolean flip = augment.flip && rnd != null && rnd.nextBoolean();
    if (augment.cropping() && rnd != null) {
      int[] c = augment.crop(img.cols(), img.rows(), rnd);
      Mat crop = new Mat(img, new Rect(c[0], c[1], c[2], c[3]));
      Mat resized = new Mat();
      resize(crop, resized, new Size(size, size), 0, 0, (long) c[2] * c[3] > (long) size * size ? INTER_AREA : INTER_LINEAR);
      fromBgr(resized, flip, dst, offset);
    } else {
      fromBgr(img, flip, dst, offset);
    }
  }

  /** Resize, center crop, flip and normalize a BGR image into CHW RGB floats. */
  private void fromBgr(Mat img, boolean flip, float[] dst, int offset) {
    int w = img.cols();
    int h = img.rows();
    Mat square = img;
    if (w != size || h != size) {
      double scale = (double) size / Math.min(w, h);
      int rw = Math.max(size, (int) Math.round(w * scale));
      int rh = Math.max(size, (int) Math.round(h * scale));
      Mat resized = new Mat();
      resize(img, resized, new Size(rw, rh), 0, 0, scale < 1 ? INTER_AREA : INTER_LINEAR);
      square = new Mat(resized, new Rect((rw - size) / 2, (rh - size) / 2, size, size)).clone();
    }
    UByteIndexer px = square.createIndexer();
    int plane = size * size;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int sx = flip ? size - 1 - x : x;
        int o = offset + y * size + x;
        // OpenCV is BGR; the model sees RGB
        dst[o] = (px.get(y, sx, 2) / 255f - MEAN[0]) / STD[0];
        dst[o + plane] = (px.get(y, sx, 1) / 255f - MEAN[1]) / STD[1];
        dst[o + 2 * plane] = (px.get(y, sx, 0) / 255f - MEAN[2]) / STD[2];
      }
    }
    px.close();
  }
}
