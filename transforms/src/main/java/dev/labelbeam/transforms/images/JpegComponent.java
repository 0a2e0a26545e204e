package dev.labelbeam.transforms.images;

/** One component of a JPEG frame, as {@link JpegScanCheck} walks it: its sampling and its blocks. */
final class JpegComponent {
  int id;
  int h;
  int v;
  /** Blocks with data (the component's own size) and blocks per row padded to whole MCUs. */
  int widthBlocks;
  int heightBlocks;
  int paddedWidthBlocks;
  /**
   * Progressive only: per block row, per block, bit k set once zig-zag coefficient k (1-63) is
   * nonzero; a row is allocated when a block in it first gets a coefficient, so a small file
   * claiming a large frame allocates little.
   */
  long[][] nonzero;

  /** The nonzero coefficients of a block so far, as a bit mask. */
  long nonzero(int row, int col) {
    long[] r = nonzero[row];
    return r == null ? 0 : r[col];
  }

  void setNonzero(int row, int col, long nz) {
    long[] r = nonzero[row];
    if (r == null) {
      if (nz == 0) {
        return;
      }
      r = nonzero[row] = new long[paddedWidthBlocks];
    }
    r[col] = nz;
  }
}
