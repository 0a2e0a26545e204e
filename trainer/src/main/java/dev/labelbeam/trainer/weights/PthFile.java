package dev.labelbeam.trainer.weights;

import dev.labelbeam.pickle.RestrictedUnpickler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads PyTorch's {@code torch.save} zip format of a state dict ({@code resnet50-*.pth}): the pickle
 * {@code <archive>/data.pkl} through {@link RestrictedUnpickler}, allowing besides plain data only
 * {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2} and {@code _rebuild_parameter}
 * and the typed storages (float32, float64, float16, bfloat16, int64, int32, int8, uint8, bool); each
 * storage is read from {@code <archive>/data/<key>} once, however many tensors view it, and a tensor's
 * values are gathered by its offset and strides (non-contiguous tensors included). A file that pickles a
 * whole {@code nn.Module} (or names any other global) is refused with that global's name.
 *
 * <p>Tensors come back as {@link Safetensors.Entry}s: floating types as float32, integer and bool
 * types as int64, under their state-dict names.
 */
public final class PthFile {
  private PthFile() {}

  /**
   * The file as a zip archive; a file in torch.save's legacy format (before PyTorch 1.6, or
   * {@code _use_new_zipfile_serialization=False}: a bare pickle stream) is refused saying so and how to
   * convert it, where {@code ZipFile} would say only "zip END header not found".
   */
  private static ZipFile open(Path file) throws IOException {
    try {
      return new ZipFile(file.toFile());
    } catch (java.util.zip.ZipException e) {
      byte[] head = new byte[2];
      try (var in = java.nio.file.Files.newInputStream(file)) {
        int n = in.readNBytes(head, 0, 2);
        if (n == 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) {
          throw new IOException(file + " is in PyTorch's legacy torch.save format (a bare pickle, as torch < 1.6 or "
              + "_use_new_zipfile_serialization=False write it), which is not read. Convert it once in Python: "
              + "torch.save(torch.load('" + file.getFileName() + "', weights_only=True), 'new.pth')", e);
        }
      }
      throw new IOException(file + " is not a torch.save file (not a zip archive: " + e.getMessage() + ")", e);
    }
  }

  /** The state dict of a {@code .pth} file. */
  public static Map<String, Safetensors.Entry> read(Path file) throws IOException {
    try (ZipFile zip = open(file)) {
      ZipEntry pkl = zip.stream().filter(e -> e.getName().endsWith("/data.pkl")).findFirst().orElseThrow(() ->
          new IOException(file + ": not a torch.save zip file (no data.pkl; files saved with "
              + "_use_new_zipfile_serialization=False are not read)"));
      String archive = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
      byte[] pickle;
      try (var in = zip.getInputStream(pkl)) {
        pickle = in.readAllBytes();
      }
      Object o = new TorchUnpickler(zip, archive, file).read(pickle);
      if (!(o instanceof Map<?, ?> dict)) {
        throw new IOException(file + " holds a " + (o == null ? "None" : o.getClass().getSimpleName())
            + ", not a state dict (save model.state_dict(), not the model)");
      }
      Map<String, Safetensors.Entry> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : dict.entrySet()) {
        if (e.getValue() instanceof Safetensors.Entry t) {
          out.put(String.valueOf(e.getKey()), t);
        } else {
          throw new IOException(file + ": the state dict's '" + e.getKey() + "' is not a tensor");
        }
      }
      return out;
    }
  }

  /**
   * A storage's element type, as its pickled class names it; the class itself is what a persistent id
   * carries, so the type is its own (allowed) global.
   */
  record StorageType(String dtype, int width) implements net.razorvine.pickle.IObjectConstructor {
    @Override
    public Object construct(Object[] args) {
      return this;
    }
  }

  /** A storage's raw bytes (little-endian, as torch.save writes them). */
  record Storage(StorageType type, byte[] bytes) {
    long numel() {
      return bytes.length / type.width();
    }
  }

  static final class TorchUnpickler extends RestrictedUnpickler {
    private final ZipFile zip;
    private final String archive;
    private final Path file;
    private final Map<String, Storage> storages = new HashMap<>();

    TorchUnpickler(ZipFile zip, String archive, Path file) {
      this.zip = zip;
      this.archive = archive;
      this.file = file;
      Map<String, StorageType> types = Map.of("FloatStorage", new StorageType("float32", 4),
          "DoubleStorage", new StorageType("float64", 8), "HalfStorage", new StorageType("float16", 2),
          "BFloat16Storage", new StorageType("bfloat16", 2), "LongStorage", new StorageType("int64", 8),
          "IntStorage", new StorageType("int32", 4), "CharStorage", new StorageType("int8", 1),
          "ByteStorage", new StorageType("uint8", 1), "BoolStorage", new StorageType("bool", 1));
      types.forEach((name, type) -> allow("torch." + name, type));
      allow("torch._utils._rebuild_tensor_v2", args -> tensor((Storage) args[0], ((Number) args[1]).longValue(),
          (Object[]) args[2], (Object[]) args[3]));
      allow("torch._utils._rebuild_parameter", args -> args[0]);
    }

    @Override
    protected boolean readsPersistentIds() {
      return true;
    }

    /** ('storage', type, key, location, numel): the storage's bytes from the archive, read once per key. */
    @Override
    protected Object persistentLoad(Object pid) {
      Object[] t = (Object[]) pid;
      if (t.length < 5 || !"storage".equals(t[0]) || !(t[1] instanceof StorageType type)) {
        throw new IllegalArgumentException("a persistent id that is not a storage: " + java.util.Arrays.toString(t));
      }
      String key = String.valueOf(t[2]);
      return storages.computeIfAbsent(key, k -> {
        ZipEntry e = zip.getEntry(archive + "data/" + k);
        if (e == null) {
          throw new IllegalArgumentException(file + ": storage " + k + " is missing from the archive");
        }
        try (var in = zip.getInputStream(e)) {
          byte[] bytes = in.readAllBytes();
          long numel = ((Number) t[4]).longValue();
          if (bytes.length != numel * type.width()) {
            throw new IllegalArgumentException(file + ": storage " + k + " holds " + bytes.length + " bytes for "
                + numel + " " + type.dtype() + " values");
          }
          return new Storage(type, bytes);
        } catch (IOException ex) {
          throw new java.io.UncheckedIOException(ex);
        }
      });
    }

    /** The tensor of {@code size} and {@code stride} at {@code offset} into a storage. */
    private static Safetensors.Entry tensor(Storage s, long offset, Object[] sizeTuple, Object[] strideTuple) {
      int dims = sizeTuple.length;
      long[] size = new long[dims];
      long[] stride = new long[dims];
      long count = 1;
      long last = offset;
      for (int d = 0; d < dims; d++) {
        size[d] = ((Number) sizeTuple[d]).longValue();
        stride[d] = ((Number) strideTuple[d]).longValue();
        if (size[d] < 0 || stride[d] < 0) {
          throw new IllegalArgumentException("a tensor of negative size or stride");
        }
        count = Math.multiplyExact(count, size[d]);
        last += size[d] == 0 ? 0 : (size[d] - 1) * stride[d];
      }
      if (count > 0 && (offset < 0 || last >= s.numel())) {
        throw new IllegalArgumentException("a tensor reaches past its storage of " + s.numel() + " values");
      }
      if (count > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("a tensor of " + count + " values");
      }
      ByteBuffer b = ByteBuffer.wrap(s.bytes()).order(ByteOrder.LITTLE_ENDIAN);
      boolean floating = s.type().dtype().startsWith("float") || s.type().dtype().equals("bfloat16");
      float[] f = floating ? new float[(int) count] : null;
      long[] l = floating ? null : new long[(int) count];
      long[] idx = new long[dims];
      for (int i = 0; i < count; i++) {
        long at = offset;
        for (int d = 0; d < dims; d++) {
          at += idx[d] * stride[d];
        }
        if (floating) {
          f[i] = floatAt(b, s.type().dtype(), (int) at);
        } else {
          l[i] = longAt(b, s.type().dtype(), (int) at);
        }
        for (int d = dims - 1; d >= 0; d--) { // row-major order of the logical tensor
          if (++idx[d] < size[d]) {
            break;
          }
          idx[d] = 0;
        }
      }
      return floating ? Safetensors.Entry.f32(size, f) : Safetensors.Entry.i64(size, l);
    }

    private static float floatAt(ByteBuffer b, String dtype, int i) {
      return switch (dtype) {
        case "float32" -> b.getFloat(i * 4);
        case "float64" -> (float) b.getDouble(i * 8);
        case "bfloat16" -> Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
        default -> RestrictedUnpickler.halfToFloat(b.getShort(i * 2));
      };
    }

    private static long longAt(ByteBuffer b, String dtype, int i) {
      return switch (dtype) {
        case "int64" -> b.getLong(i * 8);
        case "int32" -> b.getInt(i * 4);
        case "int8" -> b.get(i);
        default -> b.get(i) & 0xff; // uint8, bool
      };
    }
  }
}
