package dev.labelbeam.pipelines;

import dev.labelbeam.cli.WorkerLauncher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Training as a step of a Beam pipeline: for each shard folder in the input (the folder of a
 * preprocess run), runs the {@code train} command with the given options — including
 * {@code --workers N}, which starts and supervises N data-parallel worker processes — and emits
 * the folder of the trained model. Downstream steps see the element only once the model is
 * written.
 *
 * <pre>{@code
 * PCollection<String> model = p
 *     .apply(PreprocessImages.fromManifest(manifest).to(shards))
 *     .apply(MapElements.into(strings()).via(info -> shards))
 *     .apply(TrainModel.to(modelDir).withArgs("--epochs", "12", "--workers", "2"));
 * }</pre>
 *
 * <p>The training runs in worker processes started on the machine that processes the element (on
 * DirectRunner, this machine; on a Flink cluster, the TaskManager's machine), with this JVM's class
 * path or, inside a TaskManager, the job jar; the folders must be on a filesystem those processes can
 * read and write.
 */
public final class TrainModel extends PTransform<PCollection<String>, PCollection<String>> {
  private static final long serialVersionUID = 1L;

  private final String modelDir;
  private final List<String> args;

  private TrainModel(String modelDir, List<String> args) {
    this.modelDir = modelDir;
    this.args = args;
  }

  /** Writes the model into {@code modelDir}. */
  public static TrainModel to(String modelDir) {
    if (modelDir == null || modelDir.isEmpty()) {
      throw new IllegalArgumentException("modelDir must be a folder, was '" + modelDir + "'");
    }
    return new TrainModel(modelDir, List.of());
  }

  /** Options of the {@code train} command (all but {@code --shards} and {@code --output}). */
  public TrainModel withArgs(String... trainArgs) {
    for (String a : trainArgs) {
      if (a.equals("--shards") || a.equals("--output") || a.startsWith("--shards=") || a.startsWith("--output=")) {
        throw new IllegalArgumentException("TrainModel sets --shards and --output itself; found " + a);
      }
    }
    return new TrainModel(modelDir, List.of(trainArgs));
  }

  @Override
  public PCollection<String> expand(PCollection<String> shardDirs) {
    return shardDirs.apply("Train", ParDo.of(new TrainFn(modelDir, args))).setCoder(StringUtf8Coder.of());
  }

  static final class TrainFn extends DoFn<String, String> {
    private static final long serialVersionUID = 1L;
    private final String modelDir;
    private final List<String> args;

    TrainFn(String modelDir, List<String> args) {
      this.modelDir = modelDir;
      this.args = new ArrayList<>(args);
    }

    @ProcessElement
    public void process(@Element String shardDir, OutputReceiver<String> out) throws Exception {
      List<String> a = new ArrayList<>(List.of("train", "--shards", shardDir, "--output", modelDir));
      int workers = 1;
      for (int i = 0; i < args.size(); i++) {
        if (args.get(i).equals("--workers") && i + 1 < args.size()) {
          workers = Integer.parseInt(args.get(++i));
        } else if (args.get(i).startsWith("--workers=")) {
          workers = Integer.parseInt(args.get(i).substring("--workers=".length()));
        } else {
          a.add(args.get(i));
        }
      }
      int cores = Runtime.getRuntime().availableProcessors();
      if (!a.contains("--torch-threads")) {
        a.addAll(List.of("--torch-threads", Integer.toString(Math.max(1, cores / workers))));
      }
      if (!a.contains("--loader-threads")) {
        a.addAll(List.of("--loader-threads", Integer.toString(Math.max(1, cores / workers))));
      }
      // always in worker processes of their own: LibTorch trains several times slower inside a
      // DirectRunner thread than in a plain JVM, and a native fault cannot take the pipeline down
      int code = WorkerLauncher.run(a, workers, Path.of(modelDir), System.out);
      if (code != 0) {
        throw new IllegalStateException("training on " + shardDir + " failed (exit code " + code + "); see the output above");
      }
      out.output(modelDir);
    }
  }
}
