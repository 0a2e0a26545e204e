package dev.labelbeam.benchmarks;

import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.LabelBits;
import dev.labelbeam.shard.TfRecordWriter;
import dev.labelbeam.trainer.TorchRuntime;
import dev.labelbeam.trainer.data.Augment;
import dev.labelbeam.trainer.data.Batch;
import dev.labelbeam.trainer.data.ImageTensorizer;
import dev.labelbeam.trainer.data.ShardLoader;
import dev.labelbeam.trainer.model.ModelSpec;
import dev.labelbeam.trainer.model.MultiLabelModel;
import dev.labelbeam.trainer.train.MultiLabelLoss;
import dev.labelbeam.trainer.weights.Safetensors;
import dev.labelbeam.trainer.weights.StateDicts;
import dev.labelbeam.transforms.images.ImageResizer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The Java halves of the trainer benchmarks and the torchvision check (issue 4), driven by
 * {@code benchmarks/scripts/trainer-vs-pytorch.sh}:
 *
 * <ul>
 *   <li>{@code data DIR N}: N photo-like JPEGs resized to 256 pixels, as files (for PyTorch) and as one
 *       TFRecord shard (for us).
 *   <li>{@code loader DIR}: our loader on one thread (decode, random resized crop 224, flip,
 *       normalize, batches of 32): images/s.
 *   <li>{@code step}: ResNet-18 at 112 pixels, batch 32, SGD, on the CPU: training images/s.
 *   <li>{@code check DIR}: loads torchvision's ResNet-18 weights (safetensors) into ours, runs the
 *       input torchvision ran, and writes our logits; then exports our own random weights for the
 *       reverse check.
 * </ul>
 */
public final class TrainerBenchmarks {
  private TrainerBenchmarks() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "data" -> data(Path.of(args[1]), Integer.parseInt(args[2]));
      case "loader" -> loader(Path.of(args[1]));
      case "step" -> step();
      case "check" -> check(Path.of(args[1]));
      default -> throw new IllegalArgumentException("data, loader, step or check");
    }
  }

  static void data(Path dir, int n) throws Exception {
    Files.createDirectories(dir.resolve("jpeg"));
    Random rnd = new Random(3);
    ImageResizer r = new ImageResizer(256, 90);
    try (TfRecordWriter w = new TfRecordWriter(Files.newOutputStream(dir.resolve("train-00000-of-00001.tfrecord")))) {
      for (int i = 0; i < n; i++) {
        ImageResizer.Resized img = r.process(PreprocessVsPillow.photo(rnd, 400, 300));
        Files.write(dir.resolve(String.format("jpeg/%05d.jpg", i)), img.bytes);
        w.write(new ImageRecord(Integer.toString(i), img.bytes, "jpeg", img.height, img.width,
            LabelBits.pack(new int[] {i % 10}, 10)).toBytes());
      }
    }
  }

  static void loader(Path dir) {
    TorchRuntime.load();
    ShardLoader l = new ShardLoader(List.of(dir.resolve("train-00000-of-00001.tfrecord")), 10, new ImageTensorizer(224),
        32, 1, true, new Augment(0.08, 1, true), 1);
    double best = 0;
    for (int epoch = 1; epoch <= 3; epoch++) {
      long t0 = System.nanoTime();
      long images = 0;
      try (ShardLoader.Epoch e = l.epoch(epoch)) {
        for (Batch b = e.next(); b != null; b = e.next()) {
          images += b.size;
        }
      }
      best = Math.max(best, images / ((System.nanoTime() - t0) / 1e9));
    }
    System.out.printf(Locale.ROOT, "java_loader_images_per_s=%.1f%n", best);
  }

  static void step() {
    TorchRuntime.load();
    torch.set_num_threads(Integer.parseInt(System.getProperty("threads", "2")));
    torch.manual_seed(0);
    ModelSpec s = new ModelSpec();
    s.arch = "resnet18";
    s.numClasses = 100;
    MultiLabelModel m = s.build();
    m.train(true);
    SGDOptions o = new SGDOptions(0.01);
    o.momentum().put(0.9);
    Optimizer opt = new SGD(m.parameters(), o);
    MultiLabelLoss loss = MultiLabelLoss.bce(null);
    Tensor x = torch.randn(32, 3, 112, 112);
    Tensor y = torch.rand(32, 100).gt(new org.bytedeco.pytorch.Scalar(0.9)).to(torch.ScalarType.Float);
    double best = 0;
    for (int rep = 0; rep < 4; rep++) {
      int steps = 10;
      long t0 = System.nanoTime();
      for (int i = 0; i < steps; i++) {
        try (PointerScope scope = new PointerScope()) {
          opt.zero_grad();
          Tensor l = loss.apply(m.forward(x), y);
          l.backward();
          opt.step();
        }
      }
      if (rep > 0) { // the first repetition warms up
        best = Math.max(best, steps * 32 / ((System.nanoTime() - t0) / 1e9));
      }
    }
    System.out.printf(Locale.ROOT, "java_step_images_per_s=%.1f%n", best);
  }

  static void check(Path dir) throws Exception {
    TorchRuntime.load();
    ModelSpec s = new ModelSpec();
    s.arch = "resnet18";
    s.numClasses = 10;
    MultiLabelModel m = s.build();
    StateDicts.LoadReport r = StateDicts.load(m, dir.resolve("torchvision_weights.safetensors"), true);
    System.out.println("loaded " + r.loaded.size() + " tensors from torchvision's state dict");
    Safetensors.Entry in = Safetensors.read(dir.resolve("input.safetensors")).get("x");
    writeLogits(m, in, dir.resolve("ours_logits.safetensors"));
    // the same weights as torch.save wrote them (.pth), read without running pickled code
    MultiLabelModel fromPth = s.build();
    StateDicts.load(fromPth, dir.resolve("torchvision_weights.pth"), true);
    writeLogits(fromPth, in, dir.resolve("ours_pth_logits.safetensors"));
    torch.manual_seed(5);
    MultiLabelModel fresh = s.build();
    StateDicts.save(fresh, dir.resolve("ours_weights.safetensors"), Map.of("arch", "resnet18"));
    // and ours as a .pth for torch.load(weights_only=True), as `labelbeam convert --to x.pth` writes it
    dev.labelbeam.trainer.weights.PthWriter.write(dir.resolve("ours_weights.pth"),
        StateDicts.readWeights(dir.resolve("ours_weights.safetensors")), "ours_weights");
    writeLogits(fresh, in, dir.resolve("ours_fresh_logits.safetensors"));
  }

  /** The model's eval-mode logits on {@code input}, as safetensors {@code logits}. */
  static void writeLogits(MultiLabelModel m, Safetensors.Entry input, Path file) throws java.io.IOException {
    m.eval();
    try (NoGradGuard g = new NoGradGuard()) {
      Tensor out = m.forward(Tensor.create(input.floats, input.shape)).contiguous();
      float[] v = new float[(int) out.numel()];
      ((FloatBuffer) out.createBuffer()).get(v);
      Map<String, Safetensors.Entry> o = new LinkedHashMap<>();
      o.put("logits", Safetensors.Entry.f32(out.shape(), v));
      Safetensors.write(file, o, Map.of());
    }
  }
}
