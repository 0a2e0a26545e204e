package dev.labelbeam.benchmarks;

import dev.labelbeam.metrics.MetricsAccumulator;
import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.TfRecordReader;
import dev.labelbeam.trainer.DeviceChoice;
import dev.labelbeam.trainer.TorchRuntime;
import dev.labelbeam.trainer.inference.Predictor;
import dev.labelbeam.trainer.model.ModelSpec;
import dev.labelbeam.trainer.model.MultiLabelModel;
import dev.labelbeam.trainer.train.MultiLabelLoss;
import dev.labelbeam.trainer.train.Optimizers;
import dev.labelbeam.trainer.train.TrainOptions;
import dev.labelbeam.trainer.train.TrainStep;
import dev.labelbeam.trainer.weights.Safetensors;
import dev.labelbeam.trainer.weights.StateDicts;
import dev.labelbeam.transforms.synthetic.SyntheticShards;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The Java half of the GPU check ({@code benchmarks/gpu/device-run.sh}); needs no Beam, so that it
 * fits the GPU machine's carry. Each mode prints one JSON object on its last line.
 *
 * <ul>
 *   <li>{@code smoke}: tensors on the device, bf16 autocast on and off (the result dtype of a matmul),
 *       a channels_last convolution.
 *   <li>{@code step DIR ARCH SIZE BATCH STEPS}: the trainer's own {@link TrainStep} (bf16 autocast,
 *       channels_last, pinned copies on CUDA) on one fixed batch: the loss of the first 20 steps, then
 *       images/s over the rest. Writes {@code DIR/init.safetensors} (the initial weights, torchvision
 *       names) and {@code DIR/batch.safetensors} so that PyTorch runs the very same step.
 *   <li>{@code shards DIR N SIZE}: N synthetic images (12 labels) as train and val shards, without Beam.
 *   <li>{@code train SHARDS OUT ARCH SIZE BATCH LOADER_THREADS STEPS}: the {@code Trainer} itself on the
 *       shards (loader threads decoding JPEGs, augmenting, feeding the device), no validation; images/s.
 *   <li>{@code score SHARDS MODEL}: the trained checkpoint scores the val shards on the device
 *       ({@link Predictor}, what {@code predict} and {@code evaluate} run per batch) and the metric
 *       module computes macro-AUC.
 * </ul>
 */
public final class GpuBench {
  private GpuBench() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "smoke" -> smoke();
      case "step" -> step(Path.of(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
          Integer.parseInt(args[5]));
      case "shards" -> shards(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      case "score" -> score(Path.of(args[1]), Path.of(args[2]));
      case "train" -> train(Path.of(args[1]), Path.of(args[2]), args[3], Integer.parseInt(args[4]),
          Integer.parseInt(args[5]), Integer.parseInt(args[6]), Integer.parseInt(args[7]));
      default -> throw new IllegalArgumentException("smoke, step, shards or score");
    }
  }

  static void smoke() throws Exception {
    long t0 = System.nanoTime();
    TorchRuntime.load();
    Device d = TorchRuntime.device(DeviceChoice.AUTO);
    boolean cuda = d.is_cuda();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("cuda", cuda);
    out.put("devices", cuda ? torch.cuda_device_count() : 0);
    out.put("native_load_s", (System.nanoTime() - t0) / 1e9);
    Tensor a = torch.randn(256, 256).to(d, torch.ScalarType.Float);
    Tensor b = torch.randn(256, 256).to(d, torch.ScalarType.Float);
    out.put("matmul_sum_finite", Double.isFinite(torch.matmul(a, b).sum().item_double()));
    out.put("autocast_off_dtype", torch.matmul(a, b).scalar_type().toString());
    if (cuda) {
      torch.set_autocast_dtype(torch.DeviceType.CUDA, torch.ScalarType.BFloat16);
      torch.set_autocast_enabled(torch.DeviceType.CUDA, true);
      try {
        out.put("autocast_on_dtype", torch.matmul(a, b).scalar_type().toString());
      } finally {
        torch.set_autocast_enabled(torch.DeviceType.CUDA, false);
      }
    } else {
      out.put("autocast_on_dtype", "n/a (cpu)");
    }
    Tensor x = torch.randn(2, 3, 32, 32).to(d, torch.ScalarType.Float).contiguous(torch.MemoryFormat.ChannelsLast);
    Tensor w = torch.randn(8, 3, 3, 3).to(d, torch.ScalarType.Float).contiguous(torch.MemoryFormat.ChannelsLast);
    Tensor y = torch.conv2d(x, w);
    out.put("channels_last_input", x.is_contiguous(torch.MemoryFormat.ChannelsLast));
    out.put("channels_last_conv_output", y.is_contiguous(torch.MemoryFormat.ChannelsLast));
    boolean ok = Boolean.TRUE.equals(out.get("matmul_sum_finite"))
        && (!cuda || "BFloat16".equals(out.get("autocast_on_dtype")))
        && "Float".equals(out.get("autocast_off_dtype"));
    out.put("ok", ok);
    System.out.println(json(out));
  }

  static void step(Path dir, String arch, int size, int batch, int steps) throws Exception {
    TorchRuntime.load();
    Files.createDirectories(dir);
    torch.manual_seed(0);
    int classes = 100;
    ModelSpec spec = new ModelSpec();
    spec.arch = arch;
    spec.numClasses = classes;
    spec.imageSize = size;
    MultiLabelModel model = spec.build();
    StateDicts.save(model, dir.resolve("init.safetensors"), Map.of("arch", arch));
    Random rnd = new Random(1);
    float[] x = new float[batch * 3 * size * size];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    float[] y = new float[batch * classes];
    for (int i = 0; i < y.length; i++) {
      y[i] = rnd.nextDouble() < 0.05 ? 1 : 0;
    }
    Map<String, Safetensors.Entry> b = new LinkedHashMap<>();
    b.put("x", Safetensors.Entry.f32(new long[] {batch, 3, size, size}, x));
    b.put("y", Safetensors.Entry.f32(new long[] {batch, classes}, y));
    Safetensors.write(dir.resolve("batch.safetensors"), b, Map.of());

    Device d = TorchRuntime.device(DeviceChoice.AUTO);
    if (d.is_cuda()) {
      model.to(d, false);
    }
    model.train(true);
    TrainOptions o = TrainOptions.defaults().toBuilder().optimizer(TrainOptions.OptimizerKind.SGD)
        .learningRate(0.01).momentum(0.9).weightDecay(0).build();
    Optimizer opt = Optimizers.create(o, model);
    TrainStep step = new TrainStep(model, MultiLabelLoss.bce(null), opt, d, null, 0);
    List<Double> losses = new ArrayList<>();
    int first = Math.min(20, steps);
    for (int i = 0; i < first; i++) {
      losses.add(step.run(x, y, batch, size, classes, 0.01));
    }
    int timed = Math.max(1, steps - first);
    long t0 = System.nanoTime();
    for (int i = 0; i < timed; i++) {
      step.run(x, y, batch, size, classes, 0.01); // item() of the loss waits for the GPU each step
    }
    double s = (System.nanoTime() - t0) / 1e9;
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("device", TorchRuntime.describe(d));
    out.put("arch", arch);
    out.put("size", size);
    out.put("batch", batch);
    out.put("timed_steps", timed);
    out.put("images_per_s", timed * batch / s);
    out.put("losses", losses);
    System.out.println(json(out));
  }

  static void train(Path shards, Path out, String arch, int size, int batch, int loaderThreads, int steps)
      throws Exception {
    TrainOptions o = TrainOptions.builder(shards, out).arch(TrainOptions.Architecture.valueOf(arch.toUpperCase(Locale.ROOT)))
        .imageSize(size).batchSize(batch).loaderThreads(loaderThreads).epochs(1000).maxSteps(steps).validate(false)
        .warmupSteps(Math.min(30, steps)).build();
    long t0 = System.nanoTime();
    List<dev.labelbeam.trainer.train.EpochReport> r =
        new dev.labelbeam.trainer.train.Trainer(o, dev.labelbeam.trainer.distributed.WorkerEnv.single(), line -> {}).run();
    double s = (System.nanoTime() - t0) / 1e9;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("loader_threads", loaderThreads);
    m.put("steps", steps);
    m.put("images_per_s_overall", steps * (double) batch / s);
    m.put("last_epoch_loss", r.isEmpty() ? null : r.get(r.size() - 1).meanLoss);
    System.out.println(json(m));
  }

  static void shards(Path dir, int n, int size) throws Exception {
    Path out = SyntheticShards.write(dir, n, size, 4, 5, 5); // every 5th image in val
    DatasetInfo info = DatasetInfo.read(out.resolve(DatasetInfo.FILE_NAME));
    System.out.println(json(Map.of("shards", out.toString(), "train", info.records.get("train"),
        "val", info.records.get("val"))));
  }

  static void score(Path shards, Path modelDir) throws Exception {
    DatasetInfo info = DatasetInfo.read(shards.resolve(DatasetInfo.FILE_NAME));
    MetricsOptions mo = MetricsOptions.defaults();
    MetricsAccumulator acc = mo.newAccumulator(info.numClasses);
    long t0 = System.nanoTime();
    long n = 0;
    try (Predictor p = Predictor.load(modelDir, DeviceChoice.AUTO)) {
      List<byte[]> images = new ArrayList<>();
      List<ImageRecord> recs = new ArrayList<>();
      for (Path shard : info.shardFiles(shards, "val")) {
        try (TfRecordReader r = TfRecordReader.open(shard)) {
          for (byte[] rec = r.next(); rec != null; rec = r.next()) {
            ImageRecord ir = ImageRecord.parse(rec);
            recs.add(ir);
            images.add(ir.encoded());
            if (images.size() == 64) {
              n += flush(p, images, recs, acc);
            }
          }
        }
      }
      n += flush(p, images, recs, acc);
    }
    double s = (System.nanoTime() - t0) / 1e9;
    MultiLabelReport r = mo.report(acc);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("device", TorchRuntime.describe(TorchRuntime.device(DeviceChoice.AUTO)));
    out.put("scored", n);
    out.put("images_per_s", n / s);
    out.put("val_macro_auc", r.macro().auc());
    out.put("val_macro_f1", r.macro().f1());
    System.out.println(json(out));
  }

  private static long flush(Predictor p, List<byte[]> images, List<ImageRecord> recs, MetricsAccumulator acc) throws Exception {
    if (images.isEmpty()) {
      return 0;
    }
    float[][] s = p.predict(images);
    for (int i = 0; i < s.length; i++) {
      acc.add(new ScoredExample(recs.get(i).id(), recs.get(i).labelBits(), s[i]));
    }
    long n = images.size();
    images.clear();
    recs.clear();
    return n;
  }

  static String json(Map<String, ?> m) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(m);
  }
}
