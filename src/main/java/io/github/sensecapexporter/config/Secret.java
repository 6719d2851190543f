package io.github.sensecapexporter.config;

/** A value that must never be logged or printed; {@link #toString()} hides it. */
public final class Secret {
  private final String value;

  public Secret(String value) {
    this.value = value;
  }

  public String reveal() {
    return value;
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  @Override
  public String toString() {
    return value.isEmpty() ? "(none)" : "(redacted)";
  }
}
