package io.github.sensecapexporter.config;

/** A configuration that cannot run; the message names the key and what is wrong, never a secret. */
public final class SettingsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SettingsException(String key, String problem) {
    super(key + ": " + problem);
  }

  SettingsException(String message, Throwable cause) {
    super(message, cause);
  }
}
