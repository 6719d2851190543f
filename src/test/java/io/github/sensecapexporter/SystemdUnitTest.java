package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The settings of deploy/systemd/sensecap-exporter.service that the exporter and the Debian package
 * rely on, read from the file as systemd reads it (systemd-analyze checks its syntax in DebIT and
 * in CI).
 */
class SystemdUnitTest {
  static final Path UNIT = Path.of("deploy/systemd/sensecap-exporter.service");
  private static Map<String, List<String>> settings;

  /** "Section.Key" to its values in order; a key may be given more than once. */
  static Map<String, List<String>> parse(List<String> lines) {
    Map<String, List<String>> settings = new LinkedHashMap<>();
    String section = "";
    for (String line : lines) {
      String text = line.strip();
      if (text.isEmpty() || text.startsWith("#") || text.startsWith(";")) {
        continue;
      }
      if (text.startsWith("[") && text.endsWith("]")) {
        section = text.substring(1, text.length() - 1);
        continue;
      }
      int equals = text.indexOf('=');
      assertTrue(equals > 0, "not a setting: " + line);
      settings
          .computeIfAbsent(
              section + "." + text.substring(0, equals).strip(), key -> new ArrayList<>())
          .add(text.substring(equals + 1).strip());
    }
    return settings;
  }

  @BeforeAll
  static void read() throws IOException {
    settings = parse(Files.readAllLines(UNIT));
  }

  private static String only(String key) {
    List<String> values = settings.getOrDefault(key, List.of());
    assertEquals(1, values.size(), key + ": " + values);
    return values.get(0);
  }

  /** Environment= as NAME to value. */
  private static Map<String, String> environment() {
    Map<String, String> environment = new LinkedHashMap<>();
    for (String assignment : settings.getOrDefault("Service.Environment", List.of())) {
      int equals = assignment.indexOf('=');
      environment.put(assignment.substring(0, equals), assignment.substring(equals + 1));
    }
    return environment;
  }

  @Test
  void runsTheInstalledLauncherWithThePackagesConfigurationAsItsUser() {
    assertEquals(
        "/usr/bin/sensecap-exporter --config /etc/sensecap-exporter/application.conf",
        only("Service.ExecStart"));
    assertEquals("sensecap-exporter", only("Service.User"));
    assertEquals("sensecap-exporter", only("Service.Group"));
    assertEquals("-/etc/default/sensecap-exporter", only("Service.EnvironmentFile"));
  }

  @Test
  void keepsTheStateInItsStateDirectory() {
    String directory = "/var/lib/" + only("Service.StateDirectory");
    assertEquals("/var/lib/sensecap-exporter", directory);
    assertEquals(directory, only("Service.WorkingDirectory"));
    assertEquals(directory + "/state", environment().get("SENSECAP_STATE_PATH"));
  }

  @Test
  void readsTheAccessKeyAsACredential() {
    String credential = only("Service.LoadCredential");
    assertEquals("access-key:/etc/sensecap-exporter/access-key", credential);
    String name = credential.substring(0, credential.indexOf(':'));
    assertEquals("%d/" + name, environment().get("SENSECAP_ACCESS_KEY_FILE"));
  }

  /** A variable the exporter does not read would be silently ignored. */
  @Test
  void setsOnlyVariablesTheExporterReads() throws IOException {
    String reference = Files.readString(Path.of("src/main/resources/reference.conf"));
    assertFalse(environment().isEmpty());
    for (String name : environment().keySet()) {
      assertTrue(reference.contains("${?" + name + "}"), name + " is not read by reference.conf");
    }
  }

  @Test
  void restartsOnFailureButNotOnABadConfiguration() {
    assertEquals("on-failure", only("Service.Restart"));
    // A bad configuration, and systemd's exit status for a key file it could not load.
    assertEquals(Main.EXIT_USAGE + " 243", only("Service.RestartPreventExitStatus"));
    // The JVM's exit status after a SIGTERM that comes before the exporter's shutdown hook.
    assertEquals("143", only("Service.SuccessExitStatus"));
  }

  @Test
  void isSandboxed() {
    assertEquals("yes", only("Service.NoNewPrivileges"));
    assertEquals("strict", only("Service.ProtectSystem"));
    assertEquals("yes", only("Service.ProtectHome"));
    assertEquals("yes", only("Service.PrivateTmp"));
    assertEquals("yes", only("Service.PrivateDevices"));
    assertEquals("", only("Service.CapabilityBoundingSet"));
    assertEquals("AF_INET AF_INET6 AF_UNIX", only("Service.RestrictAddressFamilies"));
    assertEquals("@system-service", only("Service.SystemCallFilter"));
  }

  /**
   * The launcher's heap ceiling at reference.conf's max-series and 96 MiB for the rest of the JVM
   * (README, Sizing), as docker-compose.yml and the Kubernetes Deployment have it.
   */
  @Test
  void limitsMemoryAsComposeAndKubernetesDo() throws IOException {
    String reference = Files.readString(Path.of("src/main/resources/reference.conf"));
    assertTrue(reference.contains("max-series = 200000"), "the default max-series moved");
    long heapMib = 32 + (200_000L * 1024 + 1048575) / 1048576;
    assertEquals((heapMib + 96) + "M", only("Service.MemoryMax"));
    assertTrue(
        Files.readString(Path.of("docker-compose.yml"))
            .contains("mem_limit: ${SENSECAP_EXPORTER_MEM_LIMIT:-" + (heapMib + 96) + "m}"));
    assertTrue(
        Files.readString(Path.of("deploy/kubernetes/base/deployment.yaml"))
            .contains("memory: " + (heapMib + 96) + "Mi"));
  }

  /** The JIT compiler writes the code it runs: with it set, the JVM cannot start. */
  @Test
  void letsTheJvmCompileCode() {
    assertFalse(settings.containsKey("Service.MemoryDenyWriteExecute"), settings.toString());
  }

  /** postrm removes the link systemctl enable makes, so purge leaves none dangling. */
  @Test
  void isEnabledForTheTargetPurgeCleansUp() throws IOException {
    assertEquals("multi-user.target", only("Install.WantedBy"));
    assertTrue(
        Files.readString(Path.of("deploy/debian/control/postrm"))
            .contains("/etc/systemd/system/multi-user.target.wants/sensecap-exporter.service"));
  }
}
