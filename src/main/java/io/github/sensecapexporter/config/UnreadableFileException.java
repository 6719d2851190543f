package io.github.sensecapexporter.config;

/**
 * A file that a key names exists but cannot be read: the machine stops the exporter, not its
 * configuration, so start-up fails with exit code 1 rather than 2. The message names the key.
 */
public final class UnreadableFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UnreadableFileException(String key, String problem) {
    super(key + ": " + problem);
  }
}
