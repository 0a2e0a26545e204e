package dev.labelbeam.transforms;

import org.apache.beam.sdk.values.PCollection;

/**
 * What our transforms adapt to in the runner that will run them. DirectRunner runs in one process
 * and commits each step's output as bundles of its own making: a random-key {@code Reshuffle} turns
 * every key into a bundle, and a file match yields one-element bundles. Transforms whose cost depends
 * on bundle sizes (spreading decode work, batching a forward pass) shape their input differently there.
 */
public final class RunnerTraits {
  private RunnerTraits() {}

  /** Whether the pipeline of {@code input} runs on Beam's DirectRunner. */
  public static boolean onDirectRunner(PCollection<?> input) {
    return input.getPipeline().getOptions().getRunner().getSimpleName().equals("DirectRunner");
  }
}
