package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class VersionTest {
  private static Properties properties(String... keysAndValues) {
    Properties properties = new Properties();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      properties.setProperty(keysAndValues[i], keysAndValues[i + 1]);
    }
    return properties;
  }

  @Test
  void readsTheVersionTheRevisionAndTheBuildDate() {
    Version version =
        Version.from(
            properties(
                "version", "0.1.0", "revision", "abc1234", "build-date", "2026-12-02T00:47:29Z"));
    assertEquals(new Version("0.1.0", "abc1234", "2026-12-02T00:47:29Z"), version);
    assertEquals(
        "sensecap-exporter 0.1.0 (revision abc1234, built 2026-12-02T00:47:29Z)", version.line());
  }

  @Test
  void aMissingBlankOrUnfilteredValueIsUnknown() {
    Version version = Version.from(properties("version", "${project.version}", "revision", " "));
    assertEquals(new Version("unknown", "unknown", "unknown"), version);
  }

  /** The resource as the build filtered it into target/classes. */
  @Test
  void theBuildFilledInEveryPart() {
    Version current = Version.current();
    assertNotEquals("unknown", current.version());
    assertTrue(
        current.revision().matches("[0-9a-f]{7,40}|unknown"), "revision " + current.revision());
    Instant built = Instant.parse(current.buildDate());
    assertTrue(built.isBefore(Instant.now().plusSeconds(60)), "built " + built);
  }
}
