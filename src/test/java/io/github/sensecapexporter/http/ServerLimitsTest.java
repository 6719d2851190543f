package io.github.sensecapexporter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.sensecapexporter.testing.LogCapture;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

class ServerLimitsTest {
  @Test
  void theTestJvmHasTheLimitsFromTheStartAsPomXmlMirrorsThem() throws Exception {
    Element surefire = null;
    NodeList plugins =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(Path.of("pom.xml").toFile())
            .getElementsByTagName("plugin");
    for (int i = 0; i < plugins.getLength(); i++) {
      Element plugin = (Element) plugins.item(i);
      if (text(plugin, "artifactId").equals("maven-surefire-plugin")) {
        surefire = plugin;
      }
    }
    Map<String, String> pom = new HashMap<>();
    NodeList variables =
        ((Element) surefire.getElementsByTagName("systemPropertyVariables").item(0))
            .getChildNodes();
    for (int i = 0; i < variables.getLength(); i++) {
      Node variable = variables.item(i);
      if (variable instanceof Element element
          && ServerLimits.properties().containsKey(element.getTagName())) {
        pom.put(element.getTagName(), element.getTextContent().strip());
      }
    }
    assertEquals(ServerLimits.properties(), pom);
    ServerLimits.properties()
        .forEach((name, value) -> assertEquals(value, System.getProperty(name), name));
  }

  private static String text(Element element, String tag) {
    return element.getElementsByTagName(tag).item(0).getTextContent().strip();
  }

  @Test
  void aJdkThatWouldIgnoreTheConnectionCapIsNamedInOneWarning() {
    try (LogCapture logs = new LogCapture(Level.INFO)) {
      ServerLimits.checkJdk(Runtime.Version.parse("17.0.4.1+1"));
      assertEquals(1, logs.lines().size(), logs.lines().toString());
      assertEquals(1, logs.count(Level.WARNING, "JDK 17.0.4.1+1 predates 17.0.5"));
    }
    for (String version : List.of("17.0.5", "17.0.5+8", "17.0.21.1+2-1-deb12u1-Debian", "21")) {
      try (LogCapture logs = new LogCapture(Level.INFO)) {
        ServerLimits.checkJdk(Runtime.Version.parse(version));
        assertEquals(List.of(), logs.lines(), version);
      }
    }
  }
}
