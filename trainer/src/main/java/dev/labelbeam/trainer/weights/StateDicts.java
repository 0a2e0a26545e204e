package dev.labelbeam.trainer.weights;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.StringTensorDictItem;
import org.bytedeco.pytorch.StringTensorDictItemVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A module's state dict (parameters and buffers, by their dotted names) to and from safetensors
 * files. With torchvision's names on both sides, weights exported by
 * {@code safetensors.torch.save_file(model.state_dict(), ...)} load here and ours load back into
 * torchvision.
 */
public final class StateDicts {
  private StateDicts() {}

  /** What {@link #load} did. */
  public static final class LoadReport {
    public final List<String> loaded = new ArrayList<>();
    /** In the file and the model, but with another shape (e.g. a classifier for other classes). */
    public final List<String> shapeMismatch = new ArrayList<>();
    /** In the model, not in the file. */
    public final List<String> missing = new ArrayList<>();
    /** In the file, not in the model. */
    public final List<String> unexpected = new ArrayList<>();

    @Override
    public String toString() {
      return loaded.size() + " tensors loaded; shape mismatch " + shapeMismatch + "; missing " + missing
          + "; unexpected " + unexpected;
    }

    /**
     * The tensors outside the classifier ({@code fc.}, which another label set replaces) that did not
     * load: missing, of another shape, or in the file but not the model. Any of them means the file is
     * another architecture's (a frozen backbone would stay random). BatchNorm's
     * {@code num_batches_tracked} counters are left out: older torchvision files lack them.
     */
    public List<String> backboneProblems() {
      List<String> out = new ArrayList<>();
      for (List<String> names : List.of(missing, shapeMismatch, unexpected)) {
        for (String n : names) {
          if (!n.startsWith("fc.") && !n.contains("num_batches_tracked")) {
            out.add(n);
          }
        }
      }
      return out;
    }
  }

  /**
   * The architecture whose state dict has these names ({@code resnet50}, {@code resnet34},
   * {@code resnet18}, {@code small_cnn}), or null when none fits: for a message saying which
   * {@code --arch} a weights file needs.
   */
  public static String architectureOf(java.util.Collection<String> names) {
    if (names.contains("layer1.0.conv3.weight")) {
      return names.contains("layer3.6.conv1.weight") ? null : names.contains("layer3.5.conv1.weight") ? "resnet50" : null;
    }
    if (names.contains("layer1.0.conv1.weight")) {
      return names.contains("layer3.5.conv1.weight") ? "resnet34" : names.contains("layer3.1.conv1.weight")
          && !names.contains("layer3.2.conv1.weight") ? "resnet18" : null;
    }
    return names.contains("conv1.weight") && names.contains("conv4.weight") ? "small_cnn" : null;
  }

  /** Every parameter and buffer by name, as the module holds them (CPU or not). */
  public static Map<String, Tensor> stateDict(Module m) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    addAll(out, m.named_parameters(true));
    addAll(out, m.named_buffers(true));
    return out;
  }

  private static void addAll(Map<String, Tensor> out, StringTensorDict d) {
    StringTensorDictItemVector items = d.items();
    for (long i = 0; i < items.size(); i++) {
      StringTensorDictItem it = items.get(i);
      // a Tensor of our own: value() points into the item vector, which the GC may free once this returns
      out.put(it.key().getString(), new Tensor(it.value()));
    }
  }

  /** Writes the module's state dict as safetensors (float parameters F32, integer buffers I64). */
  public static void save(Module m, Path file, Map<String, String> metadata) throws IOException {
    Map<String, Safetensors.Entry> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : stateDict(m).entrySet()) {
      Tensor t = e.getValue().detach().cpu().contiguous();
      long[] shape = t.shape();
      if (t.scalar_type().toString().equals(torch.ScalarType.Long.toString())) { // JavaCPP enum instances do not compare with ==
        long[] v = new long[(int) t.numel()];
        ((LongBuffer) t.createBuffer()).get(v);
        out.put(e.getKey(), Safetensors.Entry.i64(shape, v));
      } else {
        Tensor f = t.to(torch.ScalarType.Float).contiguous();
        float[] v = new float[(int) f.numel()];
        ((FloatBuffer) f.createBuffer()).get(v);
        out.put(e.getKey(), Safetensors.Entry.f32(shape, v));
      }
    }
    Safetensors.write(file, out, metadata);
  }

  /**
   * The tensors of a weights file: PyTorch's {@code torch.save} format for {@code .pth} (and {@code .pt}
   * of a state dict, {@link PthFile}), safetensors otherwise.
   */
  public static Map<String, Safetensors.Entry> readWeights(Path file) throws IOException {
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    return name.endsWith(".pth") || name.endsWith(".pt") ? PthFile.read(file) : Safetensors.read(file);
  }

  /**
   * Copies the file's tensors into the module's parameters and buffers of the same name and shape;
   * the rest is reported, not loaded. {@code strict} fails on anything missing, unexpected or
   * mismatched.
   */
  public static LoadReport load(Module m, Path file, boolean strict) throws IOException {
    return load(m, readWeights(file), file, strict);
  }

  /** {@link #load(Module, Path, boolean)} of tensors already read from {@code file}. */
  public static LoadReport load(Module m, Map<String, Safetensors.Entry> tensors, Path file, boolean strict)
      throws IOException {
    Map<String, Tensor> state = stateDict(m);
    LoadReport r = new LoadReport();
    try (NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : state.entrySet()) {
        Safetensors.Entry t = tensors.get(e.getKey());
        if (t == null) {
          r.missing.add(e.getKey());
          continue;
        }
        Tensor dst = e.getValue();
        if (!Arrays.equals(dst.shape(), t.shape)) {
          r.shapeMismatch.add(e.getKey() + " " + Arrays.toString(t.shape) + " -> " + Arrays.toString(dst.shape()));
          continue;
        }
        Tensor src = t.dtype.equals("I64") ? Tensor.create(t.longs, t.shape) : Tensor.create(t.floats, t.shape);
        dst.copy_(src.to(dst.scalar_type()));
        r.loaded.add(e.getKey());
      }
    }
    for (String k : tensors.keySet()) {
      if (!state.containsKey(k)) {
        r.unexpected.add(k);
      }
    }
    if (strict && (!r.missing.isEmpty() || !r.unexpected.isEmpty() || !r.shapeMismatch.isEmpty())) {
      throw new IOException(file + " does not match the model: " + r);
    }
    if (r.loaded.isEmpty()) {
      // training would start from random weights while the user asked for these: refuse
      throw new IOException(file + ": none of its " + tensors.size() + " tensors matches a parameter of the model "
          + "by name and shape (torchvision's names are expected): " + r);
    }
    return r;
  }
}
