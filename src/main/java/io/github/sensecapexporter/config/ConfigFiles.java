package io.github.sensecapexporter.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a file that a key names. A file that does not exist, or is a directory, is a mistake in the
 * configuration ({@link SettingsException}); one that exists but cannot be read (permissions, an
 * I/O error) is the machine's ({@link UnreadableFileException}): the configuration is right, and a
 * restart once the file is readable succeeds.
 */
final class ConfigFiles {
  private ConfigFiles() {}

  /** The file a key names, or the key named as what is wrong. */
  static Path path(String key, String file) {
    try {
      return Path.of(file);
    } catch (InvalidPathException e) {
      throw new SettingsException(key, "is not a file name: " + e.getReason());
    }
  }

  static byte[] read(String key, Path file) {
    requireFile(key, file);
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw failure(key, file, e);
    }
  }

  /** Opens the file and reads its first byte, for a reader that takes the file itself. */
  static void requireReadable(String key, Path file) {
    requireFile(key, file);
    try (InputStream in = Files.newInputStream(file)) {
      in.read();
    } catch (IOException e) {
      throw failure(key, file, e);
    }
  }

  private static void requireFile(String key, Path file) {
    if (Files.isDirectory(file)) {
      throw new SettingsException(key, file + " is a directory, not a file");
    }
  }

  private static RuntimeException failure(String key, Path file, IOException e) {
    if (e instanceof NoSuchFileException) {
      return new SettingsException(key, "cannot read " + file + " (it does not exist)");
    }
    String reason;
    if (e instanceof AccessDeniedException) {
      reason = "permission denied";
    } else if (e instanceof FileSystemException system && system.getReason() != null) {
      reason = system.getReason();
    } else {
      // Java puts the path before the reason; the reason alone, as the path is said already.
      String message = String.valueOf(e.getMessage());
      int colon = message.lastIndexOf(": ");
      reason = colon < 0 ? message : message.substring(colon + 2);
    }
    return new UnreadableFileException(key, "cannot read " + file + " (" + reason + ")");
  }
}
