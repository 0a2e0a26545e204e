package dev.labelbeam.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.labelbeam.metrics.MetricsAccumulator;
import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.shard.LabelBits;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.trainer.distributed.WorkerEnv;
import dev.labelbeam.trainer.inference.Predictor;
import dev.labelbeam.trainer.train.EpochReport;
import dev.labelbeam.trainer.train.TrainOptions;
import dev.labelbeam.trainer.train.Trainer;
import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import dev.labelbeam.transforms.synthetic.SyntheticShards;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

  @Test
  void lossFallsAndCheckpointScores(@TempDir Path tmp) throws Exception {
    Path shards = SyntheticShards.write(tmp, 384, 32, 3, 0, 11);
    TrainOptions c = TrainOptions.builder(shards, tmp.resolve("model"))
        .epochs(4).batchSize(32).warmupSteps(5).loaderThreads(2).device(DeviceChoice.CPU).build();
    List<String> lines = new ArrayList<>();
    List<EpochReport> reports = new Trainer(c, WorkerEnv.single(), lines::add).run();
    lines.forEach(System.out::println);

    assertEquals(4, reports.size());
    assertEquals(4, lines.size());
    assertTrue(lines.get(0).contains("images/s"), lines.get(0));
    double first = reports.get(0).meanLoss;
    double last = reports.get(3).meanLoss;
    assertTrue(last < first * 0.95, "loss should fall: " + first + " -> " + last);
    // and below the loss of the best constant prediction (each label's frequency, where the prior bias
    // starts): the mean binary entropy of the train split's label frequencies
    dev.labelbeam.shard.DatasetInfo info = dev.labelbeam.shard.DatasetInfo.read(shards.resolve("dataset.json"));
    double constant = 0;
    for (long positives : info.positiveCounts("train")) {
      double q = (double) positives / info.records("train");
      constant += q <= 0 || q >= 1 ? 0 : -(q * Math.log(q) + (1 - q) * Math.log(1 - q));
    }
    constant /= info.positiveCounts("train").length;
    assertTrue(last < constant * 0.9, "the last epoch's loss " + last + " must beat the best constant's " + constant);
    assertEquals(4, Files.readAllLines(c.outputDir().resolve("train_log.jsonl")).size());

    // the checkpoint loads back, scores deterministically, and ranks the images' true labels above
    // the others well beyond chance (macro-AUC 0.5) on the first 128 training images
    LabelVocabulary vocab = new LabelVocabulary(SyntheticShapes.labels());
    List<String> manifest = Files.readAllLines(tmp.resolve("raw/manifest.csv"));
    MetricsOptions exact = MetricsOptions.defaults().withMode(MetricsOptions.Mode.EXACT);
    MetricsAccumulator acc = exact.newAccumulator(vocab.size());
    try (Predictor p = Predictor.load(c.outputDir(), DeviceChoice.CPU)) {
      for (int i = 1; i <= 128; i++) {
        String[] f = manifest.get(i).split(",");
        byte[] img = Files.readAllBytes(tmp.resolve("raw").resolve(f[0]));
        float[][] s = p.predict(List.of(img, img));
        assertEquals(12, s[0].length);
        assertArrayEquals(s[0], s[1], 1e-6f);
        int[] idx = java.util.Arrays.stream(f[1].split("\\|")).mapToInt(vocab::indexOf).toArray();
        acc.add(new ScoredExample(f[0], LabelBits.pack(idx, vocab.size()), s[0]));
      }
    }
    double auc = exact.report(acc).macro().auc();
    assertTrue(auc > 0.7, "macro-AUC of the trained checkpoint: " + auc);
  }

  @Test
  void initWeightsOfAnotherArchitectureAreRefusedNamingIt(@TempDir Path tmp) throws Exception {
    Path shards = SyntheticShards.write(tmp, 64, 32, 1, 0, 5);
    TorchRuntime.load();
    Path r18 = tmp.resolve("r18.safetensors");
    try (org.bytedeco.javacpp.PointerScope s = new org.bytedeco.javacpp.PointerScope()) {
      dev.labelbeam.trainer.weights.StateDicts.save(ModelsAndWeightsTest.build("resnet18", 1000), r18, java.util.Map.of());
    }
    // --arch forgotten (small_cnn by default) with --freeze-backbone: a random frozen backbone, once
    TrainOptions c = TrainOptions.builder(shards, tmp.resolve("model")).epochs(1).batchSize(16).initWeights(r18)
        .freezeBackbone(true).device(DeviceChoice.CPU).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(c, WorkerEnv.single(), s -> {}).run());
    assertTrue(e.getMessage().contains("does not fit --arch small_cnn") && e.getMessage().contains("pass --arch resnet18")
        && e.getMessage().contains("stay random"), e.getMessage());
    assertTrue(!Files.exists(tmp.resolve("model/model.pt")), "nothing trained");
    for (String arch : List.of("small_cnn", "resnet18", "resnet34", "resnet50")) {
      try (org.bytedeco.javacpp.PointerScope s = new org.bytedeco.javacpp.PointerScope()) {
        assertEquals(arch, dev.labelbeam.trainer.weights.StateDicts.architectureOf(
            dev.labelbeam.trainer.weights.StateDicts.stateDict(ModelsAndWeightsTest.build(arch, 3)).keySet()));
      }
    }
  }

  @Test
  void aBatchLargerThanTheTrainSplitIsRefused(@TempDir Path tmp) throws Exception {
    Path shards = SyntheticShards.write(tmp, 20, 32, 1, 0, 5);
    TrainOptions c = TrainOptions.builder(shards, tmp.resolve("model")).epochs(1).batchSize(64)
        .device(DeviceChoice.CPU).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(c, WorkerEnv.single(), s -> {}).run());
    assertTrue(e.getMessage().contains("--batch-size 64 is larger than the train split's 20 records")
        && e.getMessage().contains("Use --batch-size 20 or less"), e.getMessage());
    assertTrue(!Files.exists(tmp.resolve("model/model.pt")), "no untrained model written");
    // an epoch without a step (not reachable now) writes null, never NaN, into train_log.jsonl
    assertTrue(new EpochReport(1, 1, Double.NaN, 0, 0, 0).json().contains("\"loss\":null"));
  }

  @Test
  void cudaAskedForWithoutAGpuFailsWithWhatToDo() {
    TorchRuntime.load();
    assumeFalse(TorchRuntime.cudaAvailable(), "a GPU is present");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TorchRuntime.device(DeviceChoice.CUDA));
    assertTrue(e.getMessage().contains("-Pgpu"), e.getMessage());
    assertEquals("cpu", TorchRuntime.describe(TorchRuntime.device(DeviceChoice.AUTO)));
  }
}
