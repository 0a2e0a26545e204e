package dev.labelbeam.trainer.model;

import dev.labelbeam.shard.Json;
import dev.labelbeam.shard.Storage;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A model folder ({@code model.json}, {@code model.pt}) on any filesystem that a {@link Storage}
 * reads, such as {@code gs://bucket/model}. LibTorch loads weights from local files only, so a folder
 * given as a URL is copied once per JVM into a temporary local folder (deleted when the JVM exits)
 * and loaded from there; a local folder is used in place.
 */
public final class ModelFolders {
  private static final Map<String, Path> STAGED = new ConcurrentHashMap<>();

  private ModelFolders() {}

  /** The model's {@code model.json}, validated ({@link ModelSpec#validate}); the error says which folder lacks it. */
  public static ModelSpec readSpec(String modelDir, Storage storage) throws IOException {
    ModelSpec spec;
    try (InputStream in = storage.open(storage.resolve(modelDir, ModelSpec.FILE_NAME))) {
      spec = Json.read(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), ModelSpec.class,
          "model.json");
    } catch (FileNotFoundException | NoSuchFileException e) {
      throw new IOException(modelDir + " is not a model folder: it has no " + ModelSpec.FILE_NAME
          + " (train writes one beside model.pt)", e);
    }
    spec.validate(storage.resolve(modelDir, ModelSpec.FILE_NAME));
    return spec;
  }

  /** A local folder holding the model of {@code modelDir}: the folder itself when it is local. */
  public static Path local(String modelDir, Storage storage) throws IOException {
    if (!Storage.isUrl(modelDir) || modelDir.startsWith("file:")) {
      return Path.of(modelDir.startsWith("file:") ? java.net.URI.create(modelDir).getPath() : modelDir);
    }
    try {
      return STAGED.computeIfAbsent(modelDir, dir -> {
        try {
          return stage(dir, storage);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static Path stage(String modelDir, Storage storage) throws IOException {
    readSpec(modelDir, storage); // a clear message when the folder is not a model
    Path local = Files.createTempDirectory("labelbeam-model-");
    for (String name : new String[] {ModelSpec.FILE_NAME, Checkpoints.WEIGHTS}) {
      Path target = local.resolve(name);
      try (InputStream in = storage.open(storage.resolve(modelDir, name))) {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      }
      target.toFile().deleteOnExit();
    }
    local.toFile().deleteOnExit();
    return local;
  }
}
