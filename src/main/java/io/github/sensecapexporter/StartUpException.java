package io.github.sensecapexporter;

/**
 * A start-up failure that is not a configuration error: the configuration is valid but the machine
 * does not let it run (a port taken, a directory that cannot be written). The message names the key
 * involved and the cause on one line, never a secret.
 */
public final class StartUpException extends Exception {
  private static final long serialVersionUID = 1L;

  StartUpException(String key, String problem) {
    super(key + ": " + problem);
  }
}
