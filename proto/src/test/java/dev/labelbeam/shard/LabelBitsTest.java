package dev.labelbeam.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LabelBitsTest {

  @Test
  void bitOrderIsNumpyLittle() {
    // numpy.packbits([1,0,0,0,0,0,0,0, 0,1,0,1], bitorder="little") == [0x01, 0x0a]
    byte[] bits = LabelBits.pack(new int[] {0, 9, 11}, 12);
    assertArrayEquals(new byte[] {0x01, 0x0a}, bits);
    // class 7 is the most significant bit of byte 0
    assertArrayEquals(new byte[] {(byte) 0x80}, LabelBits.pack(new int[] {7}, 8));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 8, 9, 11_000, 100_000})
  void roundTripsAtEdgeSizes(int numClasses) {
    Random rnd = new Random(numClasses);
    boolean[] dense = new boolean[numClasses];
    for (int i = 0; i < numClasses; i++) {
      dense[i] = rnd.nextInt(3) == 0;
    }
    dense[numClasses - 1] = true; // the last class, in the last (possibly partial) byte
    byte[] bits = LabelBits.packDense(dense);
    assertEquals((numClasses + 7) / 8, bits.length);
    int[] expected = IntStream.range(0, numClasses).filter(i -> dense[i]).toArray();
    assertArrayEquals(expected, LabelBits.unpack(bits, numClasses));
    assertArrayEquals(bits, LabelBits.pack(expected, numClasses));
    assertEquals(expected.length, LabelBits.count(bits));

    float[] dst = new float[numClasses + 3];
    java.util.Arrays.fill(dst, 7f);
    LabelBits.unpackInto(bits, numClasses, dst, 2);
    assertEquals(7f, dst[0]);
    assertEquals(7f, dst[1]);
    assertEquals(7f, dst[numClasses + 2]);
    for (int i = 0; i < numClasses; i++) {
      assertEquals(dense[i] ? 1f : 0f, dst[i + 2], "class " + i);
    }
  }

  @Test
  void emptySetIsAllZero() {
    assertArrayEquals(new byte[2], LabelBits.pack(new int[0], 9));
    assertEquals(0, LabelBits.unpack(new byte[2], 9).length);
  }

  @Test
  void rejectsBadInput() {
    assertThrows(IllegalArgumentException.class, () -> LabelBits.pack(new int[] {9}, 9));
    assertThrows(IllegalArgumentException.class, () -> LabelBits.pack(new int[] {-1}, 9));
    assertThrows(IllegalArgumentException.class, () -> LabelBits.numBytes(0));
    // wrong length
    assertThrows(IllegalArgumentException.class, () -> LabelBits.unpack(new byte[1], 9));
    // a bit past the last class
    assertThrows(IllegalArgumentException.class, () -> LabelBits.unpack(new byte[] {0, 2}, 9));
  }
}
