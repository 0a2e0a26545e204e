package dev.labelbeam.cli;

import dev.labelbeam.transforms.shards.DatasetCheck;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code labelbeam check}: is a preprocessed dataset complete, and equal to another? */
@Command(name = "check", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Read back every shard of a preprocessed dataset and check it: checksums, no duplicate ids, "
        + "record and per-class positive counts equal to dataset.json's, no stray shards, dead-letter counts, and "
        + "input = written + dead-lettered. With --same-as, also compare it with another dataset record by record "
        + "(byte for byte per id) and dead letter by dead letter, e.g. a cluster run against a DirectRunner run. "
        + "Exit code 0 when all holds, 1 otherwise.")
public final class CheckCommand implements Callable<Integer> {
  @Option(names = "--dataset", required = true, description = "The dataset folder (with dataset.json).")
  Path dataset;

  @Option(names = "--same-as", description = "A second dataset folder that must hold the same records.")
  Path sameAs;

  @Override
  public Integer call() throws Exception {
    DatasetCheck a = DatasetCheck.of(dataset);
    boolean ok = report(a);
    if (sameAs != null) {
      DatasetCheck b = DatasetCheck.of(sameAs);
      ok &= report(b);
      List<String> diff = a.sameAs(b);
      diff.forEach(d -> System.out.println("  DIFFERENT: " + d));
      if (diff.isEmpty()) {
        System.out.printf("same records: %d ids byte for byte, %d dead letters%n", a.written(), a.deadLettered());
      }
      ok &= diff.isEmpty();
    }
    System.out.println(ok ? "check passed" : "check FAILED");
    return ok ? 0 : 1;
  }

  private static boolean report(DatasetCheck c) {
    System.out.println(c.summary());
    c.problems().forEach(p -> System.out.println("  PROBLEM: " + p));
    return c.problems().isEmpty();
  }
}
