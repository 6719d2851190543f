package io.github.sensecapexporter;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What was built: the project version, the git revision and the build date, filtered into a
 * resource at build time (pom.xml says where each comes from). "unknown" stands for any of them the
 * build could not know, such as the revision of sources that are no git checkout.
 *
 * @param version the project version
 * @param revision the abbreviated commit
 * @param buildDate when the jar was built, UTC, ISO-8601
 */
public record Version(String version, String revision, String buildDate) {
  private static final String UNKNOWN = "unknown";
  private static final Version CURRENT = read();

  /** The version of the running exporter. */
  public static Version current() {
    return CURRENT;
  }

  /** What {@code --version} prints: one line, for scripts and bug reports alike. */
  public String line() {
    return "sensecap-exporter " + version + " (revision " + revision + ", built " + buildDate + ")";
  }

  static Version from(Properties properties) {
    return new Version(
        value(properties, "version"),
        value(properties, "revision"),
        value(properties, "build-date"));
  }

  /** Blank, or a placeholder the build left unfiltered (run from an IDE's classes), is unknown. */
  private static String value(Properties properties, String key) {
    String value = properties.getProperty(key, "").strip();
    return value.isEmpty() || value.contains("${") ? UNKNOWN : value;
  }

  private static Version read() {
    Properties properties = new Properties();
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // A jar that cannot be read from is not worth failing over: every part is then unknown.
      properties.clear();
    }
    return from(properties);
  }
}
