package dev.labelbeam.cli;

import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code labelbeam generate}: the embedded synthetic dataset, to try the other commands on. */
@Command(name = "generate", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Write the embedded synthetic dataset (JPEG images of colored shapes, 12 labels such as "
        + "red_circle, 1 to 3 per image) and its CSV manifest: the demo's input, for trying preprocess and the "
        + "runner configurations. The same seed gives the same bytes.")
public final class GenerateCommand implements Callable<Integer> {
  @Option(names = "--output", required = true, description = "Folder to write images/ and manifest.csv into.")
  Path output;

  @Option(names = "--images", defaultValue = "3000", description = "Number of images.")
  int images;

  @Option(names = "--size", defaultValue = "96", description = "Image side in pixels (at least 32).")
  int size;

  @Option(names = "--seed", defaultValue = "11", description = "Random seed.")
  long seed;

  @Option(names = "--bad-inputs", description = "Also add one bad input of each kind the preprocess stage "
      + "dead-letters: truncated JPEG, empty file, text named .jpg, missing path, malformed manifest line. Default: off.")
  boolean badInputs;

  @Override
  public Integer call() {
    Path manifest = SyntheticShapes.generate(output, images, size, seed);
    int bad = badInputs ? SyntheticShapes.appendBadInputs(output) : 0;
    System.out.printf("wrote %d images%s; manifest %s%n", images,
        bad > 0 ? " and " + bad + " bad inputs" : "", manifest);
    return 0;
  }
}
