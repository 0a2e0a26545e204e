package dev.labelbeam.pipelines;

import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.transforms.PreprocessImages;
import dev.labelbeam.transforms.images.ImageOptions;
import dev.labelbeam.transforms.shards.ShardOptions;
import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import java.nio.file.Path;
import java.util.List;

/** Small preprocessed datasets of synthetic shapes for the end-to-end tests, made on DirectRunner. */
final class TestDatasets {
  private TestDatasets() {}

  /**
   * {@code images} images of {@code size} pixels, resized to {@code side}, in {@code dir/shards} with
   * {@code trainShards} train shards and one val shard ({@code valFraction} of the images in val).
   */
  static Path preprocess(Path dir, int images, int size, long seed, int side, double valFraction, int trainShards)
      throws Exception {
    Path manifest = SyntheticShapes.generate(dir.resolve("data"), images, size, seed);
    Path shards = dir.resolve("shards");
    ShardOptions split = ShardOptions.defaults().withSplit(valFraction, 0, "").withShards("train", trainShards);
    PreprocessPipeline.run(PreprocessImages.fromManifest(manifest.toString())
        .withImageOptions(ImageOptions.defaults().withShorterSide(side))
        .withShardOptions(valFraction > 0 ? split.withShards("val", 1) : split),
        shards, Runners.options("DirectRunner", List.of()));
    return shards;
  }

  /** The dataset.json of a shard folder. */
  static DatasetInfo info(Path shards) throws Exception {
    return DatasetInfo.read(shards.resolve(DatasetInfo.FILE_NAME));
  }
}
