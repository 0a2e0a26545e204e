package dev.labelbeam.shard;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * TFRecord framing as TensorFlow writes it: {@code uint64 length, uint32 masked_crc32c(length),
 * byte data[length], uint32 masked_crc32c(data)}, all little-endian. The mask is
 * {@code ((crc >>> 15) | (crc << 17)) + 0xa282ead8}.
 */
public final class TfRecordFraming {
  /** Bytes before the data: length (8) and its CRC (4). */
  public static final int HEADER_BYTES = 12;
  /** Bytes after the data: its CRC. */
  public static final int FOOTER_BYTES = 4;

  private static final int MASK_DELTA = 0xa282ead8;

  private TfRecordFraming() {}

  /** The masked CRC32C of {@code data[off .. off+len)}. */
  public static int maskedCrc32c(byte[] data, int off, int len) {
    CRC32C crc = new CRC32C();
    crc.update(data, off, len);
    return mask((int) crc.getValue());
  }

  /** Applies TensorFlow's CRC mask. */
  public static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
  }

  /** The 12-byte header for a record of {@code length} bytes. */
  public static byte[] header(long length) {
    ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(length);
    buf.putInt(maskedCrc32c(buf.array(), 0, 8));
    return buf.array();
  }

  /** One whole framed record. */
  public static byte[] frame(byte[] data) {
    ByteBuffer buf =
        ByteBuffer.allocate(HEADER_BYTES + data.length + FOOTER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(header(data.length));
    buf.put(data);
    buf.putInt(maskedCrc32c(data, 0, data.length));
    return buf.array();
  }
}
