package dev.labelbeam.transforms;

/** Argument checks for {@code withX()} setters, naming the parameter, value and valid range. */
public final class Preconditions {
  private Preconditions() {}

  /** Throws {@link IllegalArgumentException} with the formatted message when {@code ok} is false. */
  public static void checkArgument(boolean ok, String format, Object... args) {
    if (!ok) {
      throw new IllegalArgumentException(String.format(format, args));
    }
  }
}
