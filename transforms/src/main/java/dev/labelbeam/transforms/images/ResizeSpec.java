package dev.labelbeam.transforms.images;

import java.io.Serializable;
import java.util.Locale;

/**
 * How images are resized: shorter side to {@code S} (aspect kept; the default, S = 256), fit into a
 * {@code W × H} box (aspect kept), or exactly {@code W × H}. Parsed from {@code "shorter:256"},
 * {@code "fit:320x240"} or {@code "exact:224x224"}.
 */
public final class ResizeSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The resize modes. */
  public enum Mode {
    SHORTER_SIDE,
    FIT,
    EXACT
  }

  public final Mode mode;
  public final int width;
  public final int height;

  private ResizeSpec(Mode mode, int width, int height) {
    if (width < 8 || width > 8192 || height < 8 || height > 8192) {
      throw new IllegalArgumentException("resize sizes must be in [8, 8192], were " + width + "x" + height);
    }
    this.mode = mode;
    this.width = width;
    this.height = height;
  }

  public static ResizeSpec shorterSide(int s) {
    return new ResizeSpec(Mode.SHORTER_SIDE, s, s);
  }

  public static ResizeSpec fit(int w, int h) {
    return new ResizeSpec(Mode.FIT, w, h);
  }

  public static ResizeSpec exact(int w, int h) {
    return new ResizeSpec(Mode.EXACT, w, h);
  }

  /** Parses {@code shorter:S}, {@code fit:WxH} or {@code exact:WxH} (a bare number means shorter side). */
  public static ResizeSpec parse(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.matches("\\d+")) {
        return shorterSide(Integer.parseInt(t));
      }
      String[] kv = t.split(":", 2);
      if (kv.length == 2) {
        if (kv[0].equals("shorter")) {
          return shorterSide(Integer.parseInt(kv[1]));
        }
        String[] wh = kv[1].split("x");
        if (wh.length == 2 && (kv[0].equals("fit") || kv[0].equals("exact"))) {
          int w = Integer.parseInt(wh[0]);
          int h = Integer.parseInt(wh[1]);
          return kv[0].equals("fit") ? fit(w, h) : exact(w, h);
        }
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("resize must be shorter:S, fit:WxH or exact:WxH, was '" + s + "'");
  }

  /** The output size {@code {w, h}} for an input of {@code w × h}. */
  public int[] target(int w, int h) {
    switch (mode) {
      case EXACT:
        return new int[] {width, height};
      case FIT:
        {
          double scale = Math.min((double) width / w, (double) height / h);
          return new int[] {Math.max(1, (int) Math.round(w * scale)), Math.max(1, (int) Math.round(h * scale))};
        }
      default:
        if (w <= h) {
          return new int[] {width, Math.max(1, (int) Math.round((double) h * width / w))};
        }
        return new int[] {Math.max(1, (int) Math.round((double) w * width / h)), width};
    }
  }

  /**
   * The largest JPEG DCT reduction (1, 2, 4 or 8) that still leaves at least the target size in both
   * directions, whatever the EXIF orientation turns out to be.
   */
  public int jpegReduction(int w, int h) {
    int[] t = target(w, h);
    int need = mode == Mode.SHORTER_SIDE ? width : Math.max(t[0], t[1]);
    int have = Math.min(w, h);
    int f = 1;
    while (f < 8 && have / (f * 2) >= need) {
      f *= 2;
    }
    return f;
  }

  @Override
  public String toString() {
    return mode == Mode.SHORTER_SIDE ? "shorter:" + width : mode.name().toLowerCase(Locale.ROOT) + ":" + width + "x" + height;
  }
}
