package dev.labelbeam.shard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Shard file names: {@code <split>-<generation>-SSSSS-of-NNNNN.tfrecord} (optionally {@code .gz}),
 * where the generation ({@code g} and a few letters and digits) is that of the preprocess run that
 * wrote it, so that a run's new shards never take the names of the shards the current
 * {@code dataset.json} lists; {@code <split>-SSSSS-of-NNNNN.tfrecord} (no generation) is read too.
 */
public final class ShardFiles {
  public static final String SUFFIX = ".tfrecord";
  private static final Pattern GENERATION = Pattern.compile("g[0-9a-z]{4,24}");

  private ShardFiles() {}

  /** The name of shard {@code index} of {@code count} for a split, without a generation. */
  public static String name(String split, int index, int count) {
    return String.format("%s-%05d-of-%05d%s", split, index, count, SUFFIX);
  }

  /** The name prefix of a split's shards written by generation {@code generation}. */
  public static String prefix(String split, String generation) {
    return split + "-" + generation;
  }

  /** A new generation id: {@code g}, the time in base 36 (so ids sort by time), and random letters. */
  public static String newGeneration() {
    return "g" + Long.toString(System.currentTimeMillis(), 36)
        + Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
  }

  /** Whether {@code g} is a generation id {@link #newGeneration} could have made. */
  public static boolean isGeneration(String g) {
    return g != null && GENERATION.matcher(g).matches();
  }

  /** The regular expression that a split's shard names match, of any generation. */
  public static Pattern pattern(String split) {
    return Pattern.compile(Pattern.quote(split) + "-(g[0-9a-z]{4,24}-)?\\d{5}-of-\\d{5}\\.tfrecord(\\.gz)?");
  }

  /** The regular expression any shard name of any split and generation matches. */
  public static Pattern anyShard() {
    return Pattern.compile("[A-Za-z0-9_]+-(g[0-9a-z]{4,24}-)?\\d{5}-of-\\d{5}\\.tfrecord(\\.gz)?");
  }

  /** The shards of a split in a local directory, sorted by name. */
  public static List<Path> list(Path dir, String split) throws IOException {
    Pattern p = pattern(split);
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(f -> p.matcher(f.getFileName().toString()).matches())
          .sorted()
          .collect(Collectors.toList());
    }
  }
}
