package dev.labelbeam.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.trainer.model.Checkpoints;
import dev.labelbeam.trainer.model.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model folder is checked before it scores anything: model.pt against the size and SHA-256 that
 * model.json recorded (a few flipped bytes once loaded and scored near chance with exit code 0), and
 * model.json against the weights (0 classes gave empty predictions, 13 classes a BufferUnderflowException,
 * a 4,096-pixel input size 9 GB per batch).
 */
class ModelFolderChecksTest {
  @TempDir static Path tmp;
  static Path good;

  @BeforeAll
  static void save() throws Exception {
    TorchRuntime.load();
    ModelSpec spec = new ModelSpec();
    spec.width = 4;
    spec.numClasses = 12;
    spec.imageSize = 32;
    spec.labels = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      spec.labels.add("l" + i);
    }
    good = tmp.resolve("good");
    Checkpoints.save(spec.build(), spec, good);
  }

  private static Path copy(String name) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    for (String f : List.of("model.pt", "model.json")) {
      Files.copy(good.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    return dir;
  }

  private static String failure(Path dir) {
    Exception e = assertThrows(Exception.class, () -> Checkpoints.load(dir).close());
    return e.getMessage();
  }

  @Test
  void aGoodFolderLoadsWithItsDigestRecorded() throws Exception {
    ModelSpec spec = ModelSpec.read(good.resolve("model.json"));
    assertEquals(Files.size(good.resolve("model.pt")), spec.weightsBytes);
    assertEquals(64, spec.weightsSha256.length());
    Checkpoints.load(good).close();
  }

  @Test
  void damagedWeightsAreRefused() throws Exception {
    Path flipped = copy("flipped");
    byte[] w = Files.readAllBytes(flipped.resolve("model.pt"));
    w[w.length / 2] ^= 0x40;
    Files.write(flipped.resolve("model.pt"), w);
    assertTrue(failure(flipped).contains("damaged"), failure(flipped));

    Path cut = copy("cut");
    Files.write(cut.resolve("model.pt"), java.util.Arrays.copyOf(w, w.length - 100));
    assertTrue(failure(cut).contains("bytes, model.json recorded"), failure(cut));
  }

  @Test
  void aModelJsonThatDoesNotFitItsWeightsIsRefused() throws Exception {
    for (Object[] c : new Object[][] {{"zero", 0, 32, "at least one class"}, {"thirteen", 13, 32, "the weights give 12"},
        {"huge", 12, 4096, "imageSize is 4096"}}) {
      Path dir = copy((String) c[0]);
      ModelSpec spec = ModelSpec.read(dir.resolve("model.json"));
      spec.numClasses = (int) c[1];
      while (spec.labels.size() > spec.numClasses) {
        spec.labels.remove(spec.labels.size() - 1);
      }
      while (spec.labels.size() < spec.numClasses) {
        spec.labels.add("extra");
      }
      spec.imageSize = (int) c[2];
      spec.write(dir.resolve("model.json"));
      String message = failure(dir);
      assertTrue(message.contains((String) c[3]), c[0] + ": " + message);
    }
  }
}
