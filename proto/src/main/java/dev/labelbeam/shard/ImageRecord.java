package dev.labelbeam.shard;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.labelbeam.proto.tf.BytesList;
import dev.labelbeam.proto.tf.Example;
import dev.labelbeam.proto.tf.Feature;
import dev.labelbeam.proto.tf.Features;
import dev.labelbeam.proto.tf.Int64List;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One shard record: a resized, re-encoded image with its packed labels. Converts to and from the
 * {@code tf.train.Example} wire form with the feature keys of the shard contract.
 */
public final class ImageRecord implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String KEY_ENCODED = "image/encoded";
  public static final String KEY_FORMAT = "image/format";
  public static final String KEY_HEIGHT = "image/height";
  public static final String KEY_WIDTH = "image/width";
  public static final String KEY_ID = "image/id";
  public static final String KEY_LABEL_BITS = "label/bits";
  public static final String KEY_LABEL_COUNT = "label/count";

  private final String id;
  private final byte[] encoded;
  private final String format;
  private final int height;
  private final int width;
  private final byte[] labelBits;

  /**
   * @param id stable id of the source image (its manifest key)
   * @param encoded the encoded image bytes
   * @param format {@code jpeg}, {@code png} or {@code raw}
   * @param labelBits packed labels, see {@link LabelBits}
   */
  public ImageRecord(
      String id, byte[] encoded, String format, int height, int width, byte[] labelBits) {
    this.id = Objects.requireNonNull(id, "id");
    this.encoded = Objects.requireNonNull(encoded, "encoded");
    this.format = Objects.requireNonNull(format, "format");
    this.height = height;
    this.width = width;
    this.labelBits = Objects.requireNonNull(labelBits, "labelBits");
  }

  public String id() {
    return id;
  }

  public byte[] encoded() {
    return encoded;
  }

  public String format() {
    return format;
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  public byte[] labelBits() {
    return labelBits;
  }

  public int labelCount() {
    return LabelBits.count(labelBits);
  }

  /** The {@code tf.train.Example} form. */
  public Example toExample() {
    return Example.newBuilder()
        .setFeatures(
            Features.newBuilder()
                .putFeature(KEY_ENCODED, bytes(encoded))
                .putFeature(KEY_FORMAT, bytes(format.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .putFeature(KEY_HEIGHT, int64(height))
                .putFeature(KEY_WIDTH, int64(width))
                .putFeature(KEY_ID, bytes(id.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .putFeature(KEY_LABEL_BITS, bytes(labelBits))
                .putFeature(KEY_LABEL_COUNT, int64(labelCount())))
        .build();
  }

  /** Serialized {@code tf.train.Example} bytes: the data of one TFRecord. */
  public byte[] toBytes() {
    return toExample().toByteArray();
  }

  /**
   * Parses a record and checks it against the contract: every key present, {@code label/count}
   * equal to the bits set.
   *
   * @throws IllegalArgumentException naming the missing or inconsistent feature
   */
  public static ImageRecord parse(byte[] data) {
    Example ex;
    try {
      ex = Example.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a tf.train.Example: " + e.getMessage(), e);
    }
    Map<String, Feature> f = ex.getFeatures().getFeatureMap();
    String id = bytesOf(f, KEY_ID).toStringUtf8();
    byte[] bits = bytesOf(f, KEY_LABEL_BITS).toByteArray();
    long count = int64Of(f, KEY_LABEL_COUNT);
    if (LabelBits.count(bits) != count) {
      throw new IllegalArgumentException(
          "record " + id + ": label/count " + count + " but " + LabelBits.count(bits) + " bits set");
    }
    return new ImageRecord(
        id,
        bytesOf(f, KEY_ENCODED).toByteArray(),
        bytesOf(f, KEY_FORMAT).toStringUtf8(),
        (int) int64Of(f, KEY_HEIGHT),
        (int) int64Of(f, KEY_WIDTH),
        bits);
  }

  private static Feature bytes(byte[] v) {
    return Feature.newBuilder().setBytesList(BytesList.newBuilder().addValue(ByteString.copyFrom(v))).build();
  }

  private static Feature int64(long v) {
    return Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(v)).build();
  }

  private static ByteString bytesOf(Map<String, Feature> f, String key) {
    Feature feat = f.get(key);
    if (feat == null || feat.getBytesList().getValueCount() != 1) {
      throw new IllegalArgumentException("feature " + key + " is missing or not a single bytes value");
    }
    return feat.getBytesList().getValue(0);
  }

  private static long int64Of(Map<String, Feature> f, String key) {
    Feature feat = f.get(key);
    if (feat == null || feat.getInt64List().getValueCount() != 1) {
      throw new IllegalArgumentException("feature " + key + " is missing or not a single int64 value");
    }
    return feat.getInt64List().getValue(0);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ImageRecord)) {
      return false;
    }
    ImageRecord r = (ImageRecord) o;
    return id.equals(r.id) && format.equals(r.format) && height == r.height && width == r.width
        && Arrays.equals(encoded, r.encoded) && Arrays.equals(labelBits, r.labelBits);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, format, height, width, Arrays.hashCode(encoded), Arrays.hashCode(labelBits));
  }

  @Override
  public String toString() {
    return "ImageRecord{" + id + ", " + format + " " + width + "x" + height + ", " + encoded.length
        + " bytes, " + labelCount() + " labels}";
  }
}
