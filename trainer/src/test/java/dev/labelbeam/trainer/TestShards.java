package dev.labelbeam.trainer;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.LabelBits;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.shard.ShardFiles;
import dev.labelbeam.shard.TfRecordWriter;
import dev.labelbeam.transforms.images.ImageResizer;
import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes small shard folders for trainer tests without a Beam pipeline. */
final class TestShards {
  private TestShards() {}

  /** {@code count} synthetic images, resized to {@code size}, in {@code shards} train shards. */
  static Path write(Path dir, int count, int size, int shards, long seed) throws Exception {
    Path data = dir.resolve("raw");
    Path manifest = SyntheticShapes.generate(data, count, 96, seed);
    LabelVocabulary vocab = new LabelVocabulary(SyntheticShapes.labels());
    Path out = dir.resolve("shards");
    Files.createDirectories(out);
    ImageResizer resizer = new ImageResizer(size, 90);
    List<String> lines = Files.readAllLines(manifest);
    TfRecordWriter[] writers = new TfRecordWriter[shards];
    DatasetInfo info = new DatasetInfo();
    info.numClasses = vocab.size();
    info.imageHeight = size;
    info.imageWidth = size;
    long[] pos = new long[vocab.size()];
    for (int s = 0; s < shards; s++) {
      String name = ShardFiles.name("train", s, shards);
      writers[s] = new TfRecordWriter(Files.newOutputStream(out.resolve(name)));
      info.shards.computeIfAbsent("train", k -> new java.util.ArrayList<>()).add(name);
    }
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).split(",");
      String[] labels = f[1].split("\\|");
      int[] idx = new int[labels.length];
      for (int k = 0; k < labels.length; k++) {
        idx[k] = vocab.indexOf(labels[k]);
        pos[idx[k]]++;
      }
      ImageResizer.Resized r = resizer.process(Files.readAllBytes(data.resolve(f[0])));
      writers[i % shards].write(new ImageRecord(f[0], r.bytes, "jpeg", r.height, r.width,
          LabelBits.pack(idx, vocab.size())).toBytes());
    }
    for (TfRecordWriter w : writers) {
      w.close();
    }
    info.records.put("train", (long) count);
    info.positiveCounts.put("train", pos);
    info.write(out.resolve(DatasetInfo.FILE_NAME));
    vocab.write(out.resolve(LabelVocabulary.FILE_NAME));
    return out;
  }
}
