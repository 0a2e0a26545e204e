package dev.labelbeam.transforms.synthetic;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.LabelBits;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.shard.ShardFiles;
import dev.labelbeam.shard.TfRecordWriter;
import dev.labelbeam.transforms.images.ImageProcessingException;
import dev.labelbeam.transforms.images.ImageResizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small shard folder of {@link SyntheticShapes} images written directly, without a Beam pipeline:
 * for trainer tests and benchmarks that need shards in seconds. The folder has the shard contract's
 * files ({@code dataset.json}, {@code labels.txt}, JPEG records with packed label bits), though not
 * the per-shard digests and dead letters a preprocess run writes.
 */
public final class SyntheticShards {
  private SyntheticShards() {}

  /**
   * Writes {@code count} images into {@code dir/shards} ({@code dir/raw} holds the source images).
   *
   * @param size the images' square size in the shards, in pixels
   * @param shardsPerSplit shards of each split
   * @param valEvery every this many images goes to the {@code val} split; 0 writes a train split only
   * @param seed seed of the images and their labels
   * @return the shard folder
   */
  public static Path write(Path dir, int count, int size, int shardsPerSplit, int valEvery, long seed)
      throws IOException {
    Path raw = dir.resolve("raw");
    Path manifest = SyntheticShapes.generate(raw, count, Math.max(96, size), seed);
    LabelVocabulary vocab = new LabelVocabulary(SyntheticShapes.labels());
    Path out = Files.createDirectories(dir.resolve("shards"));
    ImageResizer resizer = new ImageResizer(size, 90);
    List<String> lines = Files.readAllLines(manifest);
    DatasetInfo info = new DatasetInfo();
    info.numClasses = vocab.size();
    info.imageHeight = size;
    info.imageWidth = size;
    List<String> splits = valEvery > 0 ? List.of("train", "val") : List.of("train");
    TfRecordWriter[][] writers = new TfRecordWriter[splits.size()][shardsPerSplit];
    long[][] positives = new long[splits.size()][vocab.size()];
    long[] records = new long[splits.size()];
    for (int s = 0; s < splits.size(); s++) {
      for (int k = 0; k < shardsPerSplit; k++) {
        String name = ShardFiles.name(splits.get(s), k, shardsPerSplit);
        writers[s][k] = new TfRecordWriter(Files.newOutputStream(out.resolve(name)));
        info.shards.computeIfAbsent(splits.get(s), x -> new ArrayList<>()).add(name);
      }
    }
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).split(",");
      int s = valEvery > 0 && i % valEvery == 0 ? 1 : 0;
      String[] labels = f[1].split("\\|");
      int[] idx = new int[labels.length];
      for (int k = 0; k < labels.length; k++) {
        idx[k] = vocab.indexOf(labels[k]);
        positives[s][idx[k]]++;
      }
      records[s]++;
      ImageResizer.Resized r;
      try {
        r = resizer.process(Files.readAllBytes(raw.resolve(f[0])));
      } catch (ImageProcessingException e) {
        throw new IllegalStateException("a synthetic image did not decode: " + f[0], e);
      }
      writers[s][i % shardsPerSplit].write(new ImageRecord(f[0], r.bytes, "jpeg", r.height, r.width,
          LabelBits.pack(idx, vocab.size())).toBytes());
    }
    for (TfRecordWriter[] ws : writers) {
      for (TfRecordWriter w : ws) {
        w.close();
      }
    }
    for (int s = 0; s < splits.size(); s++) {
      info.records.put(splits.get(s), records[s]);
      info.positiveCounts.put(splits.get(s), positives[s]);
    }
    info.write(out.resolve(DatasetInfo.FILE_NAME));
    vocab.write(out.resolve(LabelVocabulary.FILE_NAME));
    return out;
  }
}
