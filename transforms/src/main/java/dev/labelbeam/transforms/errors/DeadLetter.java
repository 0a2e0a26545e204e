package dev.labelbeam.transforms.errors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.Objects;

/**
 * A record that could not be processed, with why: every input record ends up either in the output
 * or as one of these, so that input = written + dead-lettered always holds.
 */
public final class DeadLetter implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final String id;
  private final String path;
  private final Reason reason;
  private final String message;

  public DeadLetter(String id, String path, Reason reason, String message) {
    this.id = id == null ? "" : id;
    this.path = path == null ? "" : path;
    this.reason = Objects.requireNonNull(reason, "reason");
    this.message = message == null ? "" : message;
  }

  public String id() {
    return id;
  }

  public String path() {
    return path;
  }

  public Reason reason() {
    return reason;
  }

  public String message() {
    return message;
  }

  /** One JSON object, the line written to {@code dead_letter.jsonl}. */
  public String toJson() {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("id", id);
    n.put("path", path);
    n.put("reason", reason.code());
    n.put("message", message);
    return n.toString();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof DeadLetter)) {
      return false;
    }
    DeadLetter d = (DeadLetter) o;
    return id.equals(d.id) && path.equals(d.path) && reason == d.reason && message.equals(d.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, path, reason, message);
  }

  @Override
  public String toString() {
    return toJson();
  }
}
