package dev.labelbeam.pipelines;

import com.google.auto.value.AutoValue;
import dev.labelbeam.cli.LabelbeamCli;
import dev.labelbeam.cli.TrainCommand;
import dev.labelbeam.trainer.distributed.WorkerLauncher;
import dev.labelbeam.trainer.train.TrainOptions;
import java.nio.file.Path;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;

/**
 * Training as a step of a Beam pipeline: for each shard folder in the input (the folder of a
 * preprocess run), trains with the given {@link TrainOptions} in {@code workers} data-parallel
 * worker processes, and emits the folder of the trained model. Downstream steps see the element
 * only once the model is written.
 *
 * <pre>{@code
 * TrainOptions training = TrainOptions.defaults().toBuilder().epochs(12).build();
 * PCollection<String> model = p
 *     .apply(PreprocessImages.fromManifest(manifest).to(shards))
 *     .apply(MapElements.into(strings()).via(info -> shards))
 *     .apply(TrainModel.to(modelDir).withOptions(training).withWorkers(2));
 * }</pre>
 *
 * <p>The options' {@code shardDir} and {@code outputDir} are replaced by the element and
 * {@code modelDir}. LibTorch and loader threads left at 0 are shared among the workers
 * ({@link TrainOptions#perWorker}). The training runs in worker processes started on the machine that
 * processes the element (on DirectRunner, this machine; on a Flink cluster, the TaskManager's
 * machine), with this JVM's class path or, inside a TaskManager, the job jar; the folders must be on
 * a filesystem those processes can read and write.
 */
@AutoValue
public abstract class TrainModel extends PTransform<PCollection<String>, PCollection<String>> {
  private static final long serialVersionUID = 1L;

  /** The folder the model is written to. */
  public abstract String modelDir();

  /**
   * The options as JSON ({@link TrainOptions#toJson}, which serializes where {@link TrainOptions} holds
   * {@code Path}s); the shard folder and the threads are set per element, on the machine that trains.
   */
  abstract String optionsJson();

  /** Data-parallel worker processes on the machine that trains. */
  public abstract int workers();

  abstract Builder toBuilder();

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setModelDir(String d);

    abstract Builder setOptionsJson(String json);

    abstract Builder setWorkers(int n);

    abstract TrainModel build();
  }

  /** Writes the model into {@code modelDir}, with the default options and one worker. */
  public static TrainModel to(String modelDir) {
    if (modelDir == null || modelDir.isEmpty()) {
      throw new IllegalArgumentException("modelDir must be a folder, was '" + modelDir + "'");
    }
    return new AutoValue_TrainModel.Builder().setModelDir(modelDir).setWorkers(1)
        .setOptionsJson(TrainOptions.defaults().toBuilder().outputDir(Path.of(modelDir)).build().toJson()).build();
  }

  /** Trains with these options (their {@code shardDir} and {@code outputDir} are not used). */
  public TrainModel withOptions(TrainOptions options) {
    return toBuilder().setOptionsJson(options.toBuilder().outputDir(Path.of(modelDir())).build().toJson()).build();
  }

  /** Data-parallel worker processes on the machine that trains, at least 1 (default 1). */
  public TrainModel withWorkers(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("workers must be >= 1, was " + n);
    }
    return toBuilder().setWorkers(n).build();
  }

  /** The options this step trains with (the shard folder is each element's). */
  public TrainOptions options() {
    return TrainOptions.fromJson(optionsJson());
  }

  /** The options each worker gets for the shard folder {@code shardDir} on this machine. */
  TrainOptions workerOptions(String shardDir) {
    return workerOptions(optionsJson(), shardDir, workers());
  }

  /**
   * The options for {@code shardDir}, with automatic threads shared among the workers by the cores of
   * the machine that runs this (a TaskManager's, not the pipeline client's).
   */
  private static TrainOptions workerOptions(String optionsJson, String shardDir, int workers) {
    return TrainOptions.fromJson(optionsJson).toBuilder().shardDir(shardDir).build()
        .perWorker(workers, Runtime.getRuntime().availableProcessors());
  }

  @Override
  public PCollection<String> expand(PCollection<String> shardDirs) {
    return shardDirs.apply("Train", ParDo.of(new TrainFn(optionsJson(), workers()))).setCoder(StringUtf8Coder.of());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    TrainOptions d = TrainOptions.defaults();
    TrainOptions shownOptions = options();
    builder.add(DisplayData.item("modelDir", modelDir()).withLabel("Model folder"))
        .addIfNotDefault(DisplayData.item("workers", workers()).withLabel("Worker processes"), 1)
        .addIfNotDefault(DisplayData.item("arch", shownOptions.arch().toString()).withLabel("Architecture"), d.arch().toString())
        .addIfNotDefault(DisplayData.item("epochs", shownOptions.epochs()).withLabel("Epochs"), d.epochs())
        .addIfNotDefault(DisplayData.item("batchSize", shownOptions.batchSize()).withLabel("Batch size per worker"), d.batchSize())
        .addIfNotDefault(DisplayData.item("device", shownOptions.device().toString()).withLabel("Device"), d.device().toString());
  }

  static final class TrainFn extends DoFn<String, String> {
    private static final long serialVersionUID = 1L;
    private final String optionsJson;
    private final int workers;

    TrainFn(String optionsJson, int workers) {
      this.optionsJson = optionsJson;
      this.workers = workers;
    }

    @ProcessElement
    public void process(@Element String shardDir, OutputReceiver<String> out) throws Exception {
      // always in worker processes of their own: LibTorch trains several times slower inside a
      // DirectRunner thread than in a plain JVM, and a native fault cannot take the pipeline down
      TrainOptions o = workerOptions(optionsJson, shardDir, workers);
      int code = WorkerLauncher.run(LabelbeamCli.class, TrainCommand::workerArgs, o, workers, System.out);
      if (code != 0) {
        throw new IllegalStateException("training on " + shardDir + " failed (exit code " + code + "); see the output above");
      }
      out.output(o.outputDir().toString());
    }
  }
}
