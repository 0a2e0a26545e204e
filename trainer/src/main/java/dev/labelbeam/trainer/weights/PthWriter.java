package dev.labelbeam.trainer.weights;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a state dict in {@code torch.save}'s zip format, so that weights trained here load in PyTorch
 * with {@code model.load_state_dict(torch.load(path))} (also with {@code weights_only=True}) and no
 * labelbeam code: {@code <archive>/data.pkl} (a protocol-2 pickle of an {@code OrderedDict} of
 * {@code torch._utils._rebuild_tensor_v2} calls over persistent storage ids), {@code byteorder}
 * ({@code little}), one {@code data/<k>} entry per tensor (stored, not deflated, and aligned to 64 bytes
 * as PyTorch aligns them) and {@code version} ({@code 3}). F32 tensors become {@code FloatStorage}, I64
 * tensors {@code LongStorage}; every tensor is contiguous with its own storage.
 */
public final class PthWriter {
  private static final int ALIGNMENT = 64;

  private PthWriter() {}

  /** Writes {@code tensors} (in their order) to {@code file}; {@code archive} names the zip's top folder. */
  public static void write(Path file, Map<String, Safetensors.Entry> tensors, String archive) throws IOException {
    List<byte[]> storages = new ArrayList<>();
    byte[] pickle = pickle(tensors, storages);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (CountingStream counted = new CountingStream(Files.newOutputStream(tmp));
        ZipOutputStream zip = new ZipOutputStream(counted)) {
      stored(zip, counted, archive + "/data.pkl", pickle);
      stored(zip, counted, archive + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
      for (int k = 0; k < storages.size(); k++) {
        stored(zip, counted, archive + "/data/" + k, storages.get(k));
      }
      stored(zip, counted, archive + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** The {@code data.pkl} pickle; each tensor's bytes are appended to {@code storages} under its key. */
  static byte[] pickle(Map<String, Safetensors.Entry> tensors, List<byte[]> storages) {
    PickleOut p = new PickleOut();
    p.op(0x80).op(2); // PROTO 2
    p.global("collections", "OrderedDict").op(')').op('R'); // OrderedDict()
    p.op('(');
    for (Map.Entry<String, Safetensors.Entry> e : tensors.entrySet()) {
      Safetensors.Entry t = e.getValue();
      boolean floats = t.dtype.equals("F32");
      String key = Integer.toString(storages.size());
      storages.add(bytes(t));
      p.string(e.getKey());
      p.global("torch._utils", "_rebuild_tensor_v2").op('(');
      // the persistent id ('storage', torch.<Type>Storage, key, 'cpu', numel)
      p.op('(').string("storage").global("torch", floats ? "FloatStorage" : "LongStorage").string(key).string("cpu")
          .integer(t.numel()).op('t').op('Q');
      p.integer(0); // storage offset
      p.op('(');
      for (long d : t.shape) {
        p.integer(d);
      }
      p.op('t').op('(');
      long stride = 1;
      long[] strides = new long[t.shape.length];
      for (int d = t.shape.length - 1; d >= 0; d--) {
        strides[d] = stride;
        stride *= t.shape[d];
      }
      for (long s : strides) {
        p.integer(s);
      }
      p.op('t').op(0x89); // requires_grad False
      p.global("collections", "OrderedDict").op(')').op('R'); // backward hooks
      p.op('t').op('R');
    }
    p.op('u').op('.'); // SETITEMS, STOP
    return p.toByteArray();
  }

  private static byte[] bytes(Safetensors.Entry t) {
    if (t.dtype.equals("F32")) {
      ByteBuffer b = ByteBuffer.allocate(t.floats.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(t.floats);
      return b.array();
    }
    ByteBuffer b = ByteBuffer.allocate(t.longs.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(t.longs);
    return b.array();
  }

  /** A stored entry whose data starts at a multiple of 64 bytes (an "FB" extra field pads the header). */
  private static void stored(ZipOutputStream zip, CountingStream counted, String name, byte[] data) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(data.length);
    e.setCompressedSize(data.length);
    CRC32 crc = new CRC32();
    crc.update(data);
    e.setCrc(crc.getValue());
    e.setTimeLocal(java.time.LocalDateTime.of(2000, 1, 1, 0, 0)); // in DOS range: no extended-time field
    zip.flush();
    long headerEnd = counted.count + 30 + name.getBytes(StandardCharsets.UTF_8).length + 4;
    int pad = (int) ((ALIGNMENT - headerEnd % ALIGNMENT) % ALIGNMENT);
    byte[] extra = new byte[4 + pad];
    extra[0] = 'F';
    extra[1] = 'B';
    extra[2] = (byte) pad;
    extra[3] = (byte) (pad >> 8);
    e.setExtra(extra);
    zip.putNextEntry(e);
    zip.write(data);
    zip.closeEntry();
  }

  /** Counts the bytes written, for the alignment of the next entry. */
  private static final class CountingStream extends FilterOutputStream {
    long count;

    CountingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }

  /** The few pickle opcodes a state dict needs (protocol 2). */
  private static final class PickleOut extends ByteArrayOutputStream {
    PickleOut op(int code) {
      write(code);
      return this;
    }

    PickleOut global(String module, String name) {
      op('c');
      byte[] b = (module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII);
      write(b, 0, b.length);
      return this;
    }

    PickleOut string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      op('X'); // BINUNICODE: 4-byte little-endian length
      le(b.length, 4);
      write(b, 0, b.length);
      return this;
    }

    PickleOut integer(long v) {
      if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
        op('J'); // BININT
        le(v, 4);
      } else {
        op(0x8a).op(8); // LONG1 with 8 bytes, two's complement
        le(v, 8);
      }
      return this;
    }

    private void le(long v, int bytes) {
      for (int i = 0; i < bytes; i++) {
        write((int) (v >> (8 * i)) & 0xff);
      }
    }
  }
}
