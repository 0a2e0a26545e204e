package dev.labelbeam.pickle;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * Reads a Python pickle of plain data, as {@code torch.load(weights_only=True)} does: dict, list,
 * tuple, str, int, float, bool, None, {@code collections.OrderedDict} and numpy's ndarray (1-D or more,
 * bool/int/uint/float dtypes; protocols 2 to 5) and scalars. The Java reader never runs Python code;
 * on top of that, a pickle that names any other global ({@code os.system}, {@code builtins.eval},
 * {@code subprocess.Popen}, a class of the user's) is refused with {@link Refused}, naming it, before
 * anything is built from it; so are persistent ids and the extension registry.
 *
 * <p>numpy arrays come back as {@link NdArray}; everything else as Java collections and boxes (dict →
 * {@code Map}, list and tuple → {@code List}/{@code Object[]}, int → {@code Integer}/{@code Long}/
 * {@code BigInteger}, bytes → {@code byte[]}).
 */
public class RestrictedUnpickler extends Unpickler {

  /** A pickle that names a global outside the allow-list, or uses a refused opcode. */
  public static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  /** A numpy array: its dtype (numpy's name, e.g. {@code float32}), shape and values as doubles. */
  public record NdArray(String dtype, long[] shape, double[] values) {}

  private static final Set<String> NUMPY = Set.of("numpy.core.multiarray", "numpy._core.multiarray",
      "numpy.core.numeric", "numpy._core.numeric", "numpy");

  private final Map<String, IObjectConstructor> allowed = new LinkedHashMap<>();

  /** Allows one more global (module.name) with what it builds; for readers of richer formats (.pth). */
  protected final void allow(String global, IObjectConstructor constructor) {
    allowed.put(global, constructor);
  }

  /** Whether persistent ids are read (through {@link #persistentLoad}); plain data has none. */
  protected boolean readsPersistentIds() {
    return false;
  }

  public RestrictedUnpickler() {
    allowed.put("collections.OrderedDict", args -> new LinkedHashMap<>());
    allowed.put("_codecs.encode", args -> {
      // protocol 2 pickles bytes as _codecs.encode(latin-1 text, 'latin1')
      String s = (String) args[0];
      byte[] b = new byte[s.length()];
      for (int i = 0; i < b.length; i++) {
        b[i] = (byte) s.charAt(i);
      }
      return b;
    });
    for (String m : NUMPY) {
      allowed.put(m + "._reconstruct", args -> new ArrayState());
      allowed.put(m + ".ndarray", args -> "ndarray");
      allowed.put(m + ".dtype", args -> new Dtype((String) args[0]));
      allowed.put(m + "._frombuffer", args -> {
        // protocol 5: _frombuffer(buffer, dtype, shape, order)
        Object[] shape = (Object[]) args[2];
        return array((Dtype) args[1], longs(shape), "F".equals(args[3]), (byte[]) args[0]);
      });
      allowed.put(m + ".scalar", args -> {
        NdArray a = array((Dtype) args[0], new long[0], false, (byte[]) args[1]);
        double v = a.values()[0];
        // an integer scalar stays an integer (np.int64 class indices), a bool a bool
        return a.dtype().equals("bool") ? (Object) (v != 0) : a.dtype().startsWith("float") ? (Object) v : (Object) (long) v;
      });
    }
  }

  /** Reads a whole pickle of plain data and numpy arrays. */
  public static Object load(byte[] pickle) throws IOException {
    return new RestrictedUnpickler().read(pickle);
  }

  /** Reads a whole pickle with this reader's allow-list. */
  public Object read(byte[] pickle) throws IOException {
    RestrictedUnpickler u = this;
    try (InputStream in = new ByteArrayInputStream(pickle)) {
      return resolve(u.load(in));
    } catch (Refused e) {
      throw e;
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    } catch (PickleException | ClassCastException | IndexOutOfBoundsException | IllegalArgumentException
        | ArithmeticException e) {
      throw new IOException("not a pickle of plain data and numpy arrays: " + e.getMessage(), e);
    } finally {
      u.close();
    }
  }

  /** Replaces numpy's intermediate objects by their {@link NdArray}s, through lists, tuples and dicts. */
  private static Object resolve(Object o) {
    if (o instanceof ArrayState s) {
      return s.array();
    }
    if (o instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(k, resolve(v)));
      return out;
    }
    if (o instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(v -> out.add(resolve(v)));
      return out;
    }
    if (o instanceof Object[] t) {
      Object[] out = new Object[t.length];
      for (int i = 0; i < t.length; i++) {
        out[i] = resolve(t[i]);
      }
      return out;
    }
    return o;
  }

  @Override
  protected Object dispatch(short key) throws PickleException, IOException {
    if (key == Opcodes.GLOBAL) {
      String module = PickleUtils.readline(input);
      String name = PickleUtils.readline(input);
      stack.add(constructor(module, name));
      return NO_RETURN_VALUE;
    }
    if (key == Opcodes.STACK_GLOBAL) {
      String name = (String) stack.pop();
      String module = (String) stack.pop();
      stack.add(constructor(module, name));
      return NO_RETURN_VALUE;
    }
    if (key == Opcodes.INST) {
      throw new Refused("the pickle instantiates " + PickleUtils.readline(input) + "." + PickleUtils.readline(input)
          + " (INST): only plain data and numpy arrays are read");
    }
    if (key == Opcodes.EXT1 || key == Opcodes.EXT2 || key == Opcodes.EXT4) {
      throw new Refused("the pickle names a global through the extension registry: only plain data is read");
    }
    if ((key == Opcodes.PERSID || key == Opcodes.BINPERSID) && !readsPersistentIds()) {
      throw new Refused("the pickle refers to persistent objects: only plain data is read");
    }
    if (key == Opcodes.SETITEMS) {
      // in order (razorvine collects them in a HashMap first): a state dict's and a label dict's order stand
      List<Object> items = stack.pop_all_since_marker();
      @SuppressWarnings("unchecked")
      Map<Object, Object> dict = (Map<Object, Object>) stack.peek();
      for (int i = 0; i + 1 < items.size(); i += 2) {
        dict.put(items.get(i), items.get(i + 1));
      }
      return NO_RETURN_VALUE;
    }
    if (key == Opcodes.BUILD) {
      Object state = stack.pop();
      Object target = stack.peek();
      if (target instanceof ArrayState a) {
        a.setState((Object[]) state);
      } else if (target instanceof Dtype d) {
        d.setState((Object[]) state);
      } else if (target instanceof Map<?, ?> && state instanceof Map<?, ?>) {
        // an OrderedDict's attributes (a state dict's _metadata): not data, dropped
      } else {
        throw new Refused("the pickle sets the state of a " + target.getClass().getSimpleName()
            + ": only plain data and numpy arrays are read");
      }
      return NO_RETURN_VALUE;
    }
    return super.dispatch(key);
  }

  private IObjectConstructor constructor(String module, String name) throws Refused {
    IObjectConstructor c = allowed.get(module + "." + name);
    if (c == null) {
      throw new Refused("the pickle names the global " + module + "." + name
          + ", which is not allowed: only plain data and numpy arrays are read, and nothing is executed");
    }
    return c;
  }

  private static long[] longs(Object[] shape) {
    long[] out = new long[shape.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) shape[i]).longValue();
    }
    return out;
  }

  /** numpy's dtype as pickled: dtype('f4', False, True) then BUILD (3, '<', ...). */
  static final class Dtype {
    final String code;
    ByteOrder order = ByteOrder.LITTLE_ENDIAN;

    Dtype(String code) {
      this.code = code;
    }

    void setState(Object[] state) {
      if (state.length > 1 && ">".equals(state[1])) {
        order = ByteOrder.BIG_ENDIAN;
      }
    }
  }

  /** An ndarray being rebuilt: _reconstruct(ndarray, (0,), b'b') then BUILD (version, shape, dtype, fortran, data). */
  static final class ArrayState {
    NdArray array;

    void setState(Object[] state) {
      Object[] shape = (Object[]) state[1];
      Dtype dtype = (Dtype) state[2];
      boolean fortran = Boolean.TRUE.equals(state[3]);
      Object data = state[4];
      if (!(data instanceof byte[] bytes)) {
        throw new IllegalArgumentException("a numpy array of objects (" + dtype.code + "): only numeric arrays are read");
      }
      array = RestrictedUnpickler.array(dtype, longs(shape), fortran, bytes);
    }

    NdArray array() {
      if (array == null) {
        throw new IllegalArgumentException("a numpy array without its data");
      }
      return array;
    }
  }

  /** An IEEE 754 half-precision value as a float. */
  public static float halfToFloat(short h) {
    int sign = (h >>> 15) & 1;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    float v = exp == 0 ? mant * 0x1p-24f : exp == 31 ? (mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN)
        : (1 + mant / 1024f) * (float) Math.pow(2, exp - 15);
    return sign == 1 ? -v : v;
  }

  /** The values of a numeric array's raw bytes (C order; a Fortran-ordered 1-D array is the same). */
  static NdArray array(Dtype dtype, long[] shape, boolean fortran, byte[] data) {
    long count = 1;
    for (long s : shape) {
      count = Math.multiplyExact(count, s);
    }
    String c = dtype.code;
    char kind = c.charAt(0);
    int width = c.length() > 1 ? Integer.parseInt(c.substring(1)) : 1;
    if ("?b".indexOf(kind) < 0 || width != 1) {
      if ("iuf".indexOf(kind) < 0 || (width != 1 && width != 2 && width != 4 && width != 8)) {
        throw new IllegalArgumentException("numpy dtype '" + c + "' is not read (bool, int, uint and float are)");
      }
    }
    if (kind == 'b' && width != 1) {
      throw new IllegalArgumentException("numpy dtype '" + c + "' is not read");
    }
    if (count * width != data.length) {
      throw new IllegalArgumentException("a numpy array of " + count + " " + c + " values holds " + data.length + " bytes");
    }
    if (fortran && shape.length > 1) {
      throw new IllegalArgumentException("a Fortran-ordered numpy array of " + shape.length + " dimensions is not read");
    }
    ByteBuffer b = ByteBuffer.wrap(data).order(dtype.order);
    double[] v = new double[(int) count];
    for (int i = 0; i < v.length; i++) {
      v[i] = switch (kind) {
        case '?' -> data[i] != 0 ? 1 : 0;
        case 'b' -> data[i];
        case 'f' -> width == 8 ? b.getDouble(i * 8) : width == 4 ? b.getFloat(i * 4)
            : halfToFloat(b.getShort(i * 2));
        case 'u' -> width == 1 ? data[i] & 0xff : width == 2 ? b.getShort(i * 2) & 0xffff
            : width == 4 ? b.getInt(i * 4) & 0xffffffffL : b.getLong(i * 8);
        default -> width == 1 ? data[i] : width == 2 ? b.getShort(i * 2) : width == 4 ? b.getInt(i * 4) : b.getLong(i * 8);
      };
    }
    String name = switch (kind) {
      case '?' -> "bool";
      case 'f' -> "float" + width * 8;
      case 'u' -> "uint" + width * 8;
      default -> "int" + width * 8;
    };
    return new NdArray(name, shape, v);
  }
}
