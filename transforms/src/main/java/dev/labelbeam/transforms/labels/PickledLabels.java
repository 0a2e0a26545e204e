package dev.labelbeam.transforms.labels;

import dev.labelbeam.pickle.RestrictedUnpickler;
import dev.labelbeam.transforms.errors.Reason;
import java.io.IOException;
import java.io.Serializable;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The labels of a pickled dict, as PyTorch users keep them ({@code image_name_to_label_vector.pckl}):
 * image file name (or path relative to the image folder) → labels, in one of three forms, decided once
 * for the whole file:
 *
 * <ol>
 *   <li><b>names</b>: lists of label names — when every entry is a list of strings;
 *   <li><b>vectors</b>: 0/1 (or boolean, or float, ≥ 0.5 is positive) of length C, as a Python list or
 *       tuple or a 1-D numpy array of any integer, boolean or float dtype — when any value is a boolean
 *       or a float, or when <em>every</em> entry has C values (C = the first entry's length without
 *       {@code labels.txt}), all 0 or 1;
 *   <li><b>indices</b>: lists of class indices — otherwise: one entry such as {@code [0, 2]} with three
 *       classes makes the whole file indices, so {@code [0, 1, 1]} beside it is classes 0 and 1.
 * </ol>
 *
 * {@link #why()} says which rule decided, and how many vectors held soft values (strictly between 0 and
 * 1, binarized at 0.5); the command line prints it.
 *
 * The classes are {@code labels.txt}'s when given (C = its size); else {@code label_00000}, ... for
 * vectors (C = the vectors' length) and indices (C = the largest index + 1), and for names the labels
 * themselves. An entry that cannot be used keeps its problem: {@code wrong_vector_length},
 * {@code label_index_out_of_range}, {@code unknown_label}; the preprocess run dead-letters its image.
 */
public final class PickledLabels implements Serializable {
  private static final long serialVersionUID = 1L;

  /** An entry's labels (names), or why it has none. */
  public record Labels(List<String> names, Reason problem, String message) implements Serializable {
    static Labels of(List<String> names) {
      return new Labels(List.copyOf(names), null, null);
    }

    static Labels problem(Reason r, String message) {
      return new Labels(List.of(), r, message);
    }
  }

  private final List<String> classes;
  private final Map<String, Labels> byKey;
  private final String form;
  private final String why;

  private PickledLabels(List<String> classes, Map<String, Labels> byKey, String form, String why) {
    this.classes = classes;
    this.byKey = byKey;
    this.form = form;
    this.why = why;
  }

  /** Why the file was read in its {@link #form()}, and what that did to soft values: for the user to check. */
  public String why() {
    return why;
  }

  /** The classes, in index order. */
  public List<String> classes() {
    return classes;
  }

  /** Image file name or relative path → labels or problem, in the pickle's order. */
  public Map<String, Labels> entries() {
    return byKey;
  }

  /** The form the file was read in: {@code vectors}, {@code indices} or {@code names}. */
  public String form() {
    return form;
  }

  /**
   * Reads a pickle (through {@link RestrictedUnpickler}: other globals are refused).
   *
   * @param classes labels.txt's names, or null to name the classes from the data
   */
  public static PickledLabels read(byte[] pickle, List<String> classes) throws IOException {
    Object o = RestrictedUnpickler.load(pickle);
    if (!(o instanceof Map<?, ?> dict)) {
      throw new IOException("the labels pickle must hold a dict of image name -> labels, it holds a "
          + (o == null ? "None" : o.getClass().getSimpleName()));
    }
    Map<String, List<Object>> raw = new LinkedHashMap<>();
    Map<String, Boolean> fractional = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : dict.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        throw new IOException("a key of the labels pickle is not a file name: " + e.getKey());
      }
      raw.put(key, values(e.getValue(), key));
      fractional.put(key, e.getValue() instanceof RestrictedUnpickler.NdArray a
          && (a.dtype().startsWith("float") || a.dtype().equals("bool")));
    }
    boolean names = !raw.isEmpty() && raw.values().stream().allMatch(l -> l.stream().allMatch(v -> v instanceof String));
    Integer c = classes == null ? null : classes.size();
    boolean typed = !names && raw.entrySet().stream().anyMatch(e -> fractional.get(e.getKey())
        || e.getValue().stream().anyMatch(v -> v instanceof Boolean || v instanceof Double));
    int len = c != null ? c : raw.isEmpty() ? 0 : raw.values().iterator().next().size();
    boolean allBinary = !names && len > 0 && raw.values().stream()
        .allMatch(l -> l.size() == len && l.stream().allMatch(PickledLabels::zeroOrOne));
    boolean vectors = typed || allBinary;
    String why = names ? "every entry is a list of label names"
        : typed ? "0/1 vectors: the values are floats or booleans"
        : allBinary ? "0/1 vectors: every entry has " + len + " values, all 0 or 1"
        : "class indices: not every entry is " + (c != null ? len + " (the classes of labels.txt)" : "an equal number of")
            + " values of 0 or 1";
    if (vectors) {
      long soft = raw.values().stream().filter(l -> l.stream().anyMatch(v -> v instanceof Number n
          && n.doubleValue() > 0 && n.doubleValue() < 1)).count();
      if (soft > 0) {
        why += "; " + soft + " entries hold soft values between 0 and 1, read as positive at 0.5 or above";
      }
    }
    List<String> cls = classes != null ? List.copyOf(classes) : inferClasses(raw, names, vectors);
    Map<String, Labels> out = new LinkedHashMap<>();
    java.util.Set<String> known = new java.util.HashSet<>(cls);
    for (Map.Entry<String, List<Object>> e : raw.entrySet()) {
      out.put(e.getKey(), names ? fromNames(e.getValue(), known) : vectors ? fromVector(e.getValue(), cls)
          : fromIndices(e.getValue(), cls));
    }
    return new PickledLabels(cls, out, names ? "names" : vectors ? "vectors" : "indices", why);
  }

  private static List<Object> values(Object v, String key) throws IOException {
    if (v instanceof RestrictedUnpickler.NdArray a) {
      if (a.shape().length > 1) {
        throw new IOException("the labels of " + key + " are a " + a.shape().length + "-D array; 1-D is read");
      }
      List<Object> out = new ArrayList<>();
      boolean ints = !a.dtype().startsWith("float") && !a.dtype().equals("bool");
      for (double d : a.values()) {
        out.add(ints ? (Object) (long) d : (Object) d);
      }
      return out;
    }
    if (v instanceof List<?> l) {
      return new ArrayList<>(l);
    }
    if (v instanceof Object[] t) {
      return new ArrayList<>(List.of(t));
    }
    throw new IOException("the labels of " + key + " are a " + (v == null ? "None" : v.getClass().getSimpleName())
        + "; a list, tuple or numpy array is read");
  }

  private static boolean zeroOrOne(Object v) {
    return v instanceof Boolean || (v instanceof Number n && (n.doubleValue() == 0 || n.doubleValue() == 1));
  }

  private static double number(Object v) {
    return v instanceof Boolean b ? (b ? 1 : 0) : v instanceof BigInteger b ? b.doubleValue() : ((Number) v).doubleValue();
  }

  private static List<String> inferClasses(Map<String, List<Object>> raw, boolean names, boolean vectors) {
    List<String> out = new ArrayList<>();
    if (names) {
      TreeSet<String> all = new TreeSet<>();
      raw.values().forEach(l -> l.forEach(v -> all.add((String) v)));
      out.addAll(all);
      return out;
    }
    long c = 0;
    for (List<Object> l : raw.values()) {
      if (vectors) {
        c = Math.max(c, l.size());
      } else {
        for (Object v : l) {
          if (v instanceof Number n) {
            c = Math.max(c, n.longValue() + 1);
          }
        }
      }
    }
    for (int i = 0; i < c; i++) {
      out.add(String.format("label_%05d", i));
    }
    return out;
  }

  private static Labels fromVector(List<Object> v, List<String> classes) {
    if (v.size() != classes.size()) {
      return Labels.problem(Reason.WRONG_VECTOR_LENGTH, v.size() + " values for " + classes.size() + " classes");
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      if (!(v.get(i) instanceof Number || v.get(i) instanceof Boolean)) {
        return Labels.problem(Reason.WRONG_VECTOR_LENGTH, "value " + i + " is not a number: " + v.get(i));
      }
      if (number(v.get(i)) >= 0.5) {
        names.add(classes.get(i));
      }
    }
    return Labels.of(names);
  }

  private static Labels fromIndices(List<Object> v, List<String> classes) {
    List<String> names = new ArrayList<>();
    for (Object o : v) {
      if (!(o instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
        return Labels.problem(Reason.LABEL_INDEX_OUT_OF_RANGE, "not a class index: " + o);
      }
      long i = n.longValue();
      if (i < 0 || i >= classes.size()) {
        return Labels.problem(Reason.LABEL_INDEX_OUT_OF_RANGE, "index " + i + " outside [0, " + classes.size() + ")");
      }
      if (!names.contains(classes.get((int) i))) {
        names.add(classes.get((int) i));
      }
    }
    return Labels.of(names);
  }

  private static Labels fromNames(List<Object> v, java.util.Set<String> known) {
    List<String> names = new ArrayList<>();
    for (Object o : v) {
      String s = (String) o;
      if (!known.contains(s)) {
        return Labels.problem(Reason.UNKNOWN_LABEL, "label '" + s + "' is not in labels.txt");
      }
      if (!names.contains(s)) {
        names.add(s);
      }
    }
    return Labels.of(names);
  }
}
