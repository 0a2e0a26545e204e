package dev.labelbeam.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TfRecordFramingTest {

  /** CRC32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit, independent of the JDK's. */
  private static long crc32cByHand(byte[] data) {
    long crc = 0xFFFFFFFFL;
    for (byte b : data) {
      crc ^= (b & 0xFF);
      for (int k = 0; k < 8; k++) {
        crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78L : crc >>> 1;
      }
    }
    return crc ^ 0xFFFFFFFFL;
  }

  /** TFRecord's mask, from the format's definition, in unsigned 32-bit arithmetic. */
  private static long maskByHand(long crc) {
    long rotated = ((crc >>> 15) | (crc << 17)) & 0xFFFFFFFFL;
    return (rotated + 0xa282ead8L) & 0xFFFFFFFFL;
  }

  private static void putLe(ByteArrayOutputStream out, long v, int bytes) {
    for (int i = 0; i < bytes; i++) {
      out.write((int) (v >>> (8 * i)) & 0xFF);
    }
  }

  private static byte[] frameByHand(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream len = new ByteArrayOutputStream();
    putLe(len, data.length, 8);
    out.writeBytes(len.toByteArray());
    putLe(out, maskByHand(crc32cByHand(len.toByteArray())), 4);
    out.writeBytes(data);
    putLe(out, maskByHand(crc32cByHand(data)), 4);
    return out.toByteArray();
  }

  @Test
  void crcMatchesTheStandardCheckValue() {
    assertEquals(0xE3069283L, crc32cByHand("123456789".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void framingEqualsBytesBuiltByHand() {
    for (String s : new String[] {"", "foo", "a longer record with some bytes in it"}) {
      byte[] data = s.getBytes(StandardCharsets.UTF_8);
      assertArrayEquals(frameByHand(data), TfRecordFraming.frame(data), s);
    }
  }

  @Test
  void readerReadsHandBuiltRecords() throws IOException {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.writeBytes(frameByHand("foo".getBytes(StandardCharsets.UTF_8)));
    file.writeBytes(frameByHand(new byte[0]));
    file.writeBytes(frameByHand("bar".getBytes(StandardCharsets.UTF_8)));
    try (TfRecordReader r = new TfRecordReader(new ByteArrayInputStream(file.toByteArray()), "mem")) {
      assertEquals("foo", new String(r.next(), StandardCharsets.UTF_8));
      assertEquals(0, r.next().length);
      assertEquals(19 + 16, r.offset());
      assertEquals("bar", new String(r.next(), StandardCharsets.UTF_8));
      assertNull(r.next());
    }
  }

  /** A stream that hands out at most one byte per read call, as some channels do. */
  private static InputStream trickle(byte[] bytes) {
    return new FilterInputStream(new ByteArrayInputStream(bytes)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return super.read(b, off, Math.min(len, 1));
      }
    };
  }

  @Test
  void partialReadsAreReassembled() throws IOException {
    byte[] two = concat(TfRecordFraming.frame(new byte[] {1, 2, 3}), TfRecordFraming.frame(new byte[] {4}));
    try (TfRecordReader r = new TfRecordReader(trickle(two), "trickle")) {
      assertArrayEquals(new byte[] {1, 2, 3}, r.next());
      assertArrayEquals(new byte[] {4}, r.next());
      assertNull(r.next());
    }
  }

  @Test
  void corruptedLengthCrcNamesFileAndOffset() {
    byte[] good = TfRecordFraming.frame("foo".getBytes(StandardCharsets.UTF_8));
    byte[] bad = TfRecordFraming.frame("bar".getBytes(StandardCharsets.UTF_8));
    bad[9] ^= 0x01; // inside the length CRC
    String msg = readAllExpectingError(concat(good, bad));
    assertTrue(msg.contains("shard-x at byte offset " + good.length), msg);
    assertTrue(msg.contains("length CRC"), msg);
  }

  @Test
  void corruptedDataCrcNamesFileAndOffset() {
    byte[] bad = TfRecordFraming.frame("bar".getBytes(StandardCharsets.UTF_8));
    bad[13] ^= 0x40; // a data byte
    String msg = readAllExpectingError(bad);
    assertTrue(msg.contains("at byte offset 0"), msg);
    assertTrue(msg.contains("data CRC"), msg);
  }

  @Test
  void truncatedFilesAreReported() {
    byte[] rec = TfRecordFraming.frame("hello".getBytes(StandardCharsets.UTF_8));
    for (int cut = 1; cut < rec.length; cut++) {
      byte[] part = java.util.Arrays.copyOf(rec, cut);
      String msg = readAllExpectingError(concat(rec, part));
      assertTrue(msg.contains("at byte offset " + rec.length), msg);
      assertTrue(msg.contains("truncated"), "cut at " + cut + ": " + msg);
    }
  }

  @Test
  void gzipFilesAreReadFromDisk(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("train-00000-of-00001.tfrecord.gz");
    try (TfRecordWriter w = new TfRecordWriter(new GZIPOutputStream(Files.newOutputStream(f)))) {
      w.write(new byte[] {9, 8, 7});
    }
    try (TfRecordReader r = TfRecordReader.open(f)) {
      assertArrayEquals(new byte[] {9, 8, 7}, r.next());
      assertNull(r.next());
    }
    assertEquals(java.util.List.of(f), ShardFiles.list(dir, "train"));
  }

  private static String readAllExpectingError(byte[] bytes) {
    TfRecordReader.CorruptRecordException e =
        assertThrows(
            TfRecordReader.CorruptRecordException.class,
            () -> {
              try (TfRecordReader r = new TfRecordReader(new ByteArrayInputStream(bytes), "shard-x")) {
                while (r.next() != null) {}
              }
            });
    return e.getMessage();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
