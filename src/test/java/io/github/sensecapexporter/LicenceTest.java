package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The licence the project is offered under, in the two places that say so. */
class LicenceTest {
  @Test
  void licenceFileAndPomBothSayApache2() throws Exception {
    String licence = Files.readString(Path.of("LICENSE"));
    assertTrue(licence.strip().startsWith("Apache License\n"), "LICENSE is not the Apache text");
    assertTrue(licence.contains("Version 2.0, January 2004"), "LICENSE is not version 2.0");
    String pom = Files.readString(Path.of("pom.xml"));
    assertTrue(
        pom.contains("<name>Apache-2.0</name>")
            && pom.contains("<url>https://www.apache.org/licenses/LICENSE-2.0.txt</url>"),
        "pom.xml declares no Apache-2.0 licence");
  }
}
