package dev.labelbeam.benchmarks;

import dev.labelbeam.transforms.synthetic.SyntheticShapes;
import java.nio.file.Path;

/** Writes the embedded synthetic dataset for benchmark scripts: {@code SyntheticData DIR COUNT SIZE}. */
public final class SyntheticData {
  private SyntheticData() {}

  public static void main(String[] args) {
    Path m = SyntheticShapes.generate(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]), 11);
    System.out.println(m);
  }
}
