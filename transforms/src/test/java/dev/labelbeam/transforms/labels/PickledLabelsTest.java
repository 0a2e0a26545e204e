package dev.labelbeam.transforms.labels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labelbeam.pickle.RestrictedUnpickler;
import dev.labelbeam.transforms.errors.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pickled label dicts in every form and protocol PyTorch users have (fixtures made once by
 * {@code make_fixtures.py} beside them: python3 with numpy 2.x), and malicious pickles refused by the
 * global they name, with nothing executed.
 */
class PickledLabelsTest {
  private static final List<String> CLASSES = List.of("cat", "dog", "car");

  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = PickledLabelsTest.class.getResourceAsStream(name)) {
      return in.readAllBytes();
    }
  }

  private static void assertTheThreeImages(PickledLabels p, String what) {
    Map<String, PickledLabels.Labels> e = p.entries();
    assertEquals(List.of("cat", "car"), e.get("a.jpg").names(), what);
    assertEquals(List.of(), e.get("b.jpg").names(), what);
    assertEquals(List.of("dog"), e.get("sub/c.jpg").names(), what);
  }

  @Test
  void everyFormAndProtocolGivesTheSameLabels() throws Exception {
    for (int protocol = 2; protocol <= 5; protocol++) {
      PickledLabels p = PickledLabels.read(fixture("lists_p" + protocol + ".pckl"), CLASSES);
      assertEquals("vectors", p.form());
      assertTheThreeImages(p, "lists, protocol " + protocol);
    }
    for (String dtype : List.of("bool", "int64", "float32", "uint8")) {
      for (int protocol : new int[] {2, 5}) {
        assertTheThreeImages(PickledLabels.read(fixture("numpy_" + dtype + "_p" + protocol + ".pckl"), CLASSES),
            "numpy " + dtype + ", protocol " + protocol);
      }
    }
    PickledLabels indices = PickledLabels.read(fixture("indices.pckl"), CLASSES);
    assertEquals("indices", indices.form());
    assertTheThreeImages(indices, "indices");
    assertTheThreeImages(PickledLabels.read(fixture("numpy_indices.pckl"), CLASSES), "numpy scalar indices");
    PickledLabels names = PickledLabels.read(fixture("names.pckl"), CLASSES);
    assertEquals("names", names.form());
    assertTheThreeImages(names, "names in an OrderedDict");
    // without labels.txt the classes are named by position
    assertEquals(List.of("label_00000", "label_00001", "label_00002"),
        PickledLabels.read(fixture("numpy_bool_p5.pckl"), null).classes());
  }

  @Test
  void entriesThatDoNotFitKeepTheirReason() throws Exception {
    PickledLabels fourClasses = PickledLabels.read(fixture("numpy_float32_p2.pckl"), List.of("a", "b", "c", "d"));
    assertEquals(Reason.WRONG_VECTOR_LENGTH, fourClasses.entries().get("a.jpg").problem());
    PickledLabels twoClasses = PickledLabels.read(fixture("indices.pckl"), List.of("a", "b"));
    assertEquals(Reason.LABEL_INDEX_OUT_OF_RANGE, twoClasses.entries().get("a.jpg").problem());
    assertEquals(List.of("b"), twoClasses.entries().get("sub/c.jpg").names());
    PickledLabels otherNames = PickledLabels.read(fixture("names.pckl"), List.of("cat", "dog"));
    assertEquals(Reason.UNKNOWN_LABEL, otherNames.entries().get("a.jpg").problem());
  }

  @Test
  void maliciousPicklesAreRefusedByNameAndRunNothing() throws Exception {
    Path marker = Path.of("/tmp/labelbeam-pickle-marker");
    Files.deleteIfExists(marker);
    for (String[] c : new String[][] {{"evil_os_system_p2.pckl", "system"}, {"evil_eval_p4.pckl", "builtins.eval"},
        {"evil_popen_p5.pckl", "subprocess.Popen"}}) {
      IOException e = assertThrows(IOException.class, () -> PickledLabels.read(fixture(c[0]), CLASSES));
      assertTrue(e instanceof RestrictedUnpickler.Refused, c[0] + ": " + e);
      assertTrue(e.getMessage().contains(c[1]) && e.getMessage().contains("not allowed"), e.getMessage());
    }
    assertFalse(Files.exists(marker), "nothing was executed");
  }

  private static byte[] pickle(Object o) throws Exception {
    return new net.razorvine.pickle.Pickler().dumps(o);
  }

  @Test
  void indexListsAndVectorsAreToldApartByTheWholeFile() throws Exception {
    // [0, 2] is no 0/1 vector of three: the file is indices, so [0, 1, 1] beside it is classes 0 and 1
    PickledLabels mixed = PickledLabels.read(pickle(new java.util.LinkedHashMap<>(Map.of(
        "a.jpg", List.of(0, 2), "b.jpg", List.of(0, 1, 1)))), CLASSES);
    assertEquals("indices", mixed.form());
    assertEquals(List.of("cat", "car"), mixed.entries().get("a.jpg").names());
    assertEquals(List.of("cat", "dog"), mixed.entries().get("b.jpg").names());
    assertTrue(mixed.why().contains("class indices"), mixed.why());
    // a single entry of indices, which once gave wrong_vector_length
    PickledLabels one = PickledLabels.read(pickle(Map.of("a.jpg", List.of(0, 2))), CLASSES);
    assertEquals(null, one.entries().get("a.jpg").problem());
    assertEquals(List.of("cat", "car"), one.entries().get("a.jpg").names());
    // every entry three values of 0/1: vectors, and the message says why
    PickledLabels vectors = PickledLabels.read(pickle(new java.util.LinkedHashMap<>(Map.of(
        "a.jpg", List.of(0, 1, 1), "b.jpg", List.of(1, 0, 0)))), CLASSES);
    assertEquals("vectors", vectors.form());
    assertEquals(List.of("dog", "car"), vectors.entries().get("a.jpg").names());
    assertTrue(vectors.why().contains("every entry has 3 values"), vectors.why());
    // soft values are said to be binarized
    PickledLabels soft = PickledLabels.read(pickle(Map.of("a.jpg", List.of(0.3, 0.7, 1.0))), CLASSES);
    assertEquals(List.of("dog", "car"), soft.entries().get("a.jpg").names());
    assertTrue(soft.why().contains("1 entries hold soft values"), soft.why());
  }
}
