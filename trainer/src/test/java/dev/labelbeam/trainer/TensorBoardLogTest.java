package dev.labelbeam.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.proto.tf.Event;
import dev.labelbeam.trainer.distributed.WorkerEnv;
import dev.labelbeam.trainer.log.TensorBoardLog;
import dev.labelbeam.trainer.train.TrainOptions;
import dev.labelbeam.trainer.train.Trainer;
import dev.labelbeam.transforms.synthetic.SyntheticShards;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train writes TensorBoard event files that parse back, and a resumed run does not repeat steps. */
class TensorBoardLogTest {

  private static List<Event> summaries(Path dir) throws Exception {
    return TensorBoardLog.read(dir).stream().filter(Event::hasSummary).toList();
  }

  @Test
  void trainingWritesScalarsPerEpoch(@TempDir Path tmp) throws Exception {
    Path shards = SyntheticShards.write(tmp, 96, 16, 1, 4, 7);
    TrainOptions o = TrainOptions.builder(shards, tmp.resolve("model")).epochs(2).batchSize(16).width(4)
        .loaderThreads(1).device(DeviceChoice.CPU).build();
    new Trainer(o, WorkerEnv.single(), s -> { }).run();
    List<Event> all = TensorBoardLog.read(tmp.resolve("model").resolve(TensorBoardLog.FOLDER));
    assertEquals("brain.Event:2", all.get(0).getFileVersion());
    List<Event> epochs = summaries(tmp.resolve("model").resolve(TensorBoardLog.FOLDER));
    assertEquals(2, epochs.size());
    assertTrue(epochs.get(1).getStep() > epochs.get(0).getStep());
    Set<String> tags = epochs.get(1).getSummary().getValueList().stream().map(v -> v.getTag()).collect(Collectors.toSet());
    assertTrue(tags.containsAll(Set.of("train/loss", "train/learning_rate", "train/images_per_second", "val/macro_f1",
        "val/macro_auc", "val/map")), tags.toString());
  }

  @Test
  void aResumedRunDropsTheEventsAfterItsCheckpoint(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("tb");
    try (TensorBoardLog first = TensorBoardLog.open(dir, -1)) {
      for (long step = 10; step <= 50; step += 10) {
        first.scalars(step, Map.of("train/loss", 1.0 / step));
      }
    }
    try (TensorBoardLog resumed = TensorBoardLog.open(dir, 30)) {
      resumed.scalars(40, Map.of("train/loss", 0.5));
    }
    List<Long> steps = summaries(dir).stream().map(Event::getStep).toList();
    assertEquals(List.of(10L, 20L, 30L, 40L), steps);
  }
}
