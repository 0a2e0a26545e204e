package dev.labelbeam.trainer.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors file format (Hugging Face): an 8-byte little-endian header length, a JSON header
 * {@code {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}}, then the
 * tensors' little-endian bytes. Pure Java, no LibTorch: reads F32, F16, BF16, F64, I64 and I32 (floats
 * widened to float32), writes F32 and I64.
 */
public final class Safetensors {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** Headers above this size are refused as corrupt. */
  static final long MAX_HEADER = 100L << 20;

  private Safetensors() {}

  /** One tensor: its dtype ({@code F32} or {@code I64} after reading), shape and values. */
  public static final class Entry {
    public final String dtype;
    public final long[] shape;
    /** Values when {@code dtype} is F32. */
    public final float[] floats;
    /** Values when {@code dtype} is I64. */
    public final long[] longs;

    private Entry(String dtype, long[] shape, float[] floats, long[] longs) {
      this.dtype = dtype;
      this.shape = shape;
      this.floats = floats;
      this.longs = longs;
    }

    public static Entry f32(long[] shape, float[] v) {
      return new Entry("F32", shape, v, null);
    }

    public static Entry i64(long[] shape, long[] v) {
      return new Entry("I64", shape, null, v);
    }

    public long numel() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }
  }

  /**
   * Reads a file; entries keep the file's order.
   *
   * @throws IOException naming the file and what is wrong when it is not valid safetensors
   */
  public static Map<String, Entry> read(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    if (all.length < 8) {
      throw new IOException(file + ": not a safetensors file (" + all.length + " bytes)");
    }
    ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    long n = bb.getLong(0);
    if (n <= 0 || n > MAX_HEADER || 8 + n > all.length) {
      throw new IOException(file + ": bad safetensors header length " + n);
    }
    JsonNode header;
    try {
      header = MAPPER.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IOException(file + ": the safetensors header is not valid JSON: " + e.getMessage(), e);
    }
    if (header == null || !header.isObject()) {
      throw new IOException(file + ": the safetensors header must be a JSON object of tensors, was "
          + (header == null ? "empty" : header.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
    }
    int base = 8 + (int) n;
    long dataBytes = all.length - base;
    Map<String, Entry> out = new LinkedHashMap<>();
    java.util.TreeMap<Long, long[]> ranges = new java.util.TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      String name = f.getKey();
      if (name.equals("__metadata__")) {
        continue;
      }
      JsonNode t = f.getValue();
      String where = file + ": tensor '" + name + "'";
      if (!t.isObject() || !t.path("dtype").isTextual()) {
        throw new IOException(where + " has no dtype");
      }
      String dtype = t.get("dtype").asText();
      JsonNode sh = t.path("shape");
      if (!sh.isArray()) {
        throw new IOException(where + " has no shape");
      }
      long[] shape = new long[sh.size()];
      long count = 1;
      for (int i = 0; i < shape.length; i++) {
        if (!sh.get(i).canConvertToLong() || !sh.get(i).isIntegralNumber() || sh.get(i).asLong() < 0) {
          throw new IOException(where + " has a shape entry that is not a non-negative integer: " + sh);
        }
        shape[i] = sh.get(i).asLong();
        try {
          count = Math.multiplyExact(count, shape[i]);
        } catch (ArithmeticException e) {
          throw new IOException(where + " has a shape of more values than a long counts: " + sh);
        }
      }
      JsonNode offs = t.path("data_offsets");
      if (!offs.isArray() || offs.size() != 2 || !offs.get(0).isIntegralNumber() || !offs.get(1).isIntegralNumber()
          || !offs.get(0).canConvertToLong() || !offs.get(1).canConvertToLong()) {
        throw new IOException(where + " needs data_offsets [begin, end] of integers, was " + offs);
      }
      long begin = offs.get(0).asLong();
      long end = offs.get(1).asLong();
      if (begin < 0 || end < begin || end > dataBytes) {
        throw new IOException(where + " has data_offsets [" + begin + ", " + end + "] outside the " + dataBytes
            + " data bytes");
      }
      int width = width(dtype, where);
      if (count > Integer.MAX_VALUE || count * width != end - begin) {
        throw new IOException(where + " has a shape of " + count + " " + dtype + " values, but its data_offsets span "
            + (end - begin) + " bytes");
      }
      ranges.put(begin, new long[] {end});
      ByteBuffer d = ByteBuffer.wrap(all, base + (int) begin, (int) (end - begin)).slice().order(ByteOrder.LITTLE_ENDIAN);
      out.put(name, decode(file, name, dtype, shape, (int) count, d));
    }
    // the format's own rule: the tensors cover the data exactly, without holes or overlaps
    long at = 0;
    for (Map.Entry<Long, long[]> r : ranges.entrySet()) {
      if (r.getKey() != at) {
        throw new IOException(file + ": tensor data " + (r.getKey() < at ? "overlaps" : "leaves a hole") + " at byte "
            + Math.min(at, r.getKey()) + " of the data (safetensors tensors must cover it exactly, in order)");
      }
      at = r.getValue()[0];
    }
    if (at != dataBytes) {
      throw new IOException(file + ": " + (dataBytes - at) + " data bytes after the last tensor belong to none");
    }
    return out;
  }

  /** Bytes per value of a dtype this reader reads. */
  private static int width(String dtype, String where) throws IOException {
    return switch (dtype) {
      case "F32", "I32" -> 4;
      case "F16", "BF16" -> 2;
      case "F64", "I64" -> 8;
      default -> throw new IOException(where + " has unsupported dtype " + dtype
          + " (F32, F64, F16, BF16, I64, I32 are read)");
    };
  }

  private static Entry decode(Path file, String name, String dtype, long[] shape, int count, ByteBuffer d) throws IOException {
    int width = width(dtype, file + ": tensor '" + name + "'");
    if ((long) count * width != d.remaining()) {
      throw new IOException(file + ": tensor " + name + " has " + d.remaining() + " bytes for " + count + " " + dtype + " values");
    }
    if (dtype.equals("I64") || dtype.equals("I32")) {
      long[] v = new long[count];
      for (int i = 0; i < count; i++) {
        v[i] = dtype.equals("I64") ? d.getLong(i * 8) : d.getInt(i * 4);
      }
      return Entry.i64(shape, v);
    }
    float[] v = new float[count];
    for (int i = 0; i < count; i++) {
      switch (dtype) {
        case "F32" -> v[i] = d.getFloat(i * 4);
        case "F64" -> v[i] = (float) d.getDouble(i * 8);
        case "BF16" -> v[i] = Float.intBitsToFloat((d.getShort(i * 2) & 0xffff) << 16);
        default -> v[i] = halfToFloat(d.getShort(i * 2));
      }
    }
    return Entry.f32(shape, v);
  }

  /** IEEE 754 half precision to float (Java 17 has no {@code Float.float16ToFloat}). */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant / 1024f / 16384f; // subnormal: mant * 2^-24
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** Writes a file atomically (temporary name, then rename), entries in the map's order. */
  public static void write(Path file, Map<String, Entry> tensors, Map<String, String> metadata) throws IOException {
    ObjectNode header = MAPPER.createObjectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode m = header.putObject("__metadata__");
      metadata.forEach(m::put);
    }
    long offset = 0;
    for (Map.Entry<String, Entry> e : tensors.entrySet()) {
      Entry t = e.getValue();
      long bytes = t.numel() * (t.dtype.equals("I64") ? 8 : 4);
      ObjectNode n = header.putObject(e.getKey());
      n.put("dtype", t.dtype);
      var shape = n.putArray("shape");
      for (long s : t.shape) {
        shape.add(s);
      }
      var offs = n.putArray("data_offsets");
      offs.add(offset);
      offs.add(offset + bytes);
      offset += bytes;
    }
    byte[] json = MAPPER.writeValueAsBytes(header);
    int pad = (8 - json.length % 8) % 8; // keep the data 8-byte aligned, as the reference writer does
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length + pad).array());
      out.write(json);
      for (int i = 0; i < pad; i++) {
        out.write(' ');
      }
      for (Entry t : tensors.values()) {
        ByteBuffer b;
        if (t.dtype.equals("I64")) {
          b = ByteBuffer.allocate(t.longs.length * 8).order(ByteOrder.LITTLE_ENDIAN);
          for (long v : t.longs) {
            b.putLong(v);
          }
        } else {
          b = ByteBuffer.allocate(t.floats.length * 4).order(ByteOrder.LITTLE_ENDIAN);
          for (float v : t.floats) {
            b.putFloat(v);
          }
        }
        out.write(b.array());
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
