package dev.labelbeam.shard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Shard file names: {@code <split>-SSSSS-of-NNNNN.tfrecord}, optionally {@code .gz}. */
public final class ShardFiles {
  public static final String SUFFIX = ".tfrecord";

  private ShardFiles() {}

  /** The name of shard {@code index} of {@code count} for a split. */
  public static String name(String split, int index, int count) {
    return String.format("%s-%05d-of-%05d%s", split, index, count, SUFFIX);
  }

  /** The regular expression that a split's shard names match. */
  public static Pattern pattern(String split) {
    return Pattern.compile(Pattern.quote(split) + "-\\d{5}-of-\\d{5}\\.tfrecord(\\.gz)?");
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
