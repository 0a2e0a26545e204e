package dev.labelbeam.trainer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.ShardDigest;
import dev.labelbeam.trainer.distributed.WorkerEnv;
import dev.labelbeam.trainer.train.TrainOptions;
import dev.labelbeam.trainer.train.Trainer;
import dev.labelbeam.transforms.synthetic.SyntheticShards;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer checks every shard against the digests in dataset.json: sizes before it starts, the
 * record count when it reaches a shard's end.
 */
class ShardVerificationTest {

  private static Path shardsWithDigests(Path tmp, long extraRecords, long extraBytes) throws Exception {
    Path shards = SyntheticShards.write(tmp, 48, 16, 1, 0, 4);
    DatasetInfo info = DatasetInfo.read(shards.resolve(DatasetInfo.FILE_NAME));
    for (String name : info.shards.get("train")) {
      ShardDigest real = ShardDigest.of(Files.newInputStream(shards.resolve(name)), name);
      info.digests.put(name, new ShardDigest(real.records() + extraRecords, real.bytes() + extraBytes, real.sha256()));
    }
    info.write(shards.resolve(DatasetInfo.FILE_NAME));
    return shards;
  }

  private static Exception train(Path shards, Path out) {
    TrainOptions o = TrainOptions.builder(shards, out).epochs(1).batchSize(8).width(4).loaderThreads(1)
        .device(DeviceChoice.CPU).build();
    return assertThrows(Exception.class, () -> new Trainer(o, WorkerEnv.single(), s -> { }).run());
  }

  @Test
  void aShardOfAnotherSizeFailsBeforeTraining(@TempDir Path tmp) throws Exception {
    Exception e = train(shardsWithDigests(tmp, 0, 7), tmp.resolve("model"));
    assertTrue(e.getMessage().contains("dataset.json recorded") && e.getMessage().contains("labelbeam check"),
        e.getMessage());
    assertTrue(!Files.exists(tmp.resolve("model").resolve("model.pt")));
  }

  @Test
  void aShardWithOtherRecordsOfTheSameSizeFailsAtItsEnd(@TempDir Path tmp) throws Exception {
    Exception e = train(shardsWithDigests(tmp, 1, 0), tmp.resolve("model"));
    Throwable t = e;
    while (t.getCause() != null && (t.getMessage() == null || !t.getMessage().contains("holds"))) {
      t = t.getCause();
    }
    assertTrue(t.getMessage() != null && t.getMessage().contains("records, dataset.json recorded"), e.toString());
  }
}
