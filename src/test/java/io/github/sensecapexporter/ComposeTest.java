package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.testing.Dockerfile;
import io.github.sensecapexporter.testing.SystemTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docker-compose.yml as Compose itself reads it: {@code docker-compose config}, Debian's 1.29,
 * which needs no Docker engine.
 */
class ComposeTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final List<String> SERVICES =
      List.of("alertmanager", "exporter", "exporter-demo", "grafana", "prometheus");

  @TempDir Path dir;

  /**
   * {@code docker-compose config} with exactly these variables, in an env file as .env gives them:
   * neither the caller's environment nor a .env in the checkout reaches it.
   */
  private SystemTools.Result compose(Map<String, String> variables, String... args)
      throws Exception {
    Path envFile = dir.resolve("test.env");
    StringBuilder lines = new StringBuilder();
    variables.forEach((name, value) -> lines.append(name).append('=').append(value).append('\n'));
    Files.writeString(envFile, lines);
    return composeWith(envFile, args);
  }

  private SystemTools.Result composeWith(Path envFile, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                SystemTools.require("docker-compose").toString(),
                "--env-file",
                envFile.toString(),
                "--file",
                ROOT.resolve("docker-compose.yml").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
    builder
        .environment()
        .keySet()
        .removeIf(
            name ->
                name.startsWith("COMPOSE_")
                    || name.startsWith("SENSECAP_")
                    || name.startsWith("GRAFANA_")
                    || name.endsWith("_MEM_LIMIT"));
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new SystemTools.Result(process.waitFor(), output);
  }

  /** What Compose makes of the file with these variables, service by service. */
  private Map<String, List<String>> services(Map<String, String> variables) throws Exception {
    SystemTools.Result config = compose(variables, "config");
    assertEquals(0, config.exitCode(), config.output());
    Map<String, List<String>> services = new LinkedHashMap<>();
    List<String> all = Yaml.section(config.output().lines().toList(), "services");
    for (String line : all) {
      if (!line.startsWith(" ") && line.endsWith(":")) {
        String name = line.substring(0, line.length() - 1);
        services.put(name, Yaml.section(all, name));
      }
    }
    return services;
  }

  private Map<String, List<String>> services() throws Exception {
    return services(Map.of("COMPOSE_PROFILES", "live", "GRAFANA_ADMIN_PASSWORD", "s3cret"));
  }

  /**
   * Compose 1.29's config lists every service whatever COMPOSE_PROFILES says, so which profile
   * starts which is read from each service's {@code profiles:}: one exporter each, the rest always.
   */
  @ParameterizedTest
  @ValueSource(strings = {"live", "demo"})
  void theFileIsValidUnderEitherProfileEachStartingItsOwnExporter(String profile) throws Exception {
    Map<String, String> variables =
        Map.of("COMPOSE_PROFILES", profile, "GRAFANA_ADMIN_PASSWORD", "s3cret");
    SystemTools.Result quiet = compose(variables, "config", "--quiet");
    assertEquals(0, quiet.exitCode(), quiet.output());
    Map<String, List<String>> services = services(variables);
    assertEquals(List.copyOf(SERVICES), List.copyOf(services.keySet()));
    Map<String, List<String>> profiles =
        Map.of(
            "exporter", List.of("live"),
            "exporter-demo", List.of("demo"),
            "prometheus", List.of(),
            "alertmanager", List.of(),
            "grafana", List.of());
    profiles.forEach(
        (name, expected) ->
            assertEquals(expected, Yaml.items(Yaml.section(services.get(name), "profiles")), name));
  }

  /** Without one Compose would start Prometheus, Alertmanager and Grafana, and no exporter. */
  @ParameterizedTest
  @ValueSource(strings = {"unset", ""})
  void withoutAProfileComposeRefusesSayingWhichToChoose(String profiles) throws Exception {
    Map<String, String> variables = new LinkedHashMap<>(Map.of("GRAFANA_ADMIN_PASSWORD", "x"));
    if (!profiles.equals("unset")) {
      variables.put("COMPOSE_PROFILES", profiles);
    }
    // up reads the file as config does, and stops there, before it asks the engine anything.
    SystemTools.Result result = compose(variables, "config");
    assertNotEquals(0, result.exitCode(), result.output());
    assertTrue(
        result.output().contains("set COMPOSE_PROFILES to live or demo, in .env"), result.output());
  }

  @Test
  void grafanaHasNoDefaultPassword() throws Exception {
    SystemTools.Result without = compose(Map.of("COMPOSE_PROFILES", "demo"), "config");
    assertNotEquals(0, without.exitCode(), without.output());
    assertTrue(without.output().contains("set GRAFANA_ADMIN_PASSWORD, in .env"), without.output());
    // .env.example copied and not filled in is refused the same way.
    SystemTools.Result example = composeWith(ROOT.resolve(".env.example"), "config");
    assertNotEquals(0, example.exitCode(), example.output());
    assertTrue(example.output().contains("set GRAFANA_ADMIN_PASSWORD"), example.output());
    assertTrue(
        Yaml.section(services().get("grafana"), "environment")
            .contains("GF_SECURITY_ADMIN_PASSWORD: s3cret"));
  }

  @Test
  void everyServiceHasAHealthcheckAMemoryLimitAndPortsOnLoopbackOnly() throws Exception {
    Map<String, List<String>> services = services();
    for (String name : SERVICES) {
      List<String> service = services.get(name);
      List<String> test = Yaml.items(Yaml.section(Yaml.section(service, "healthcheck"), "test"));
      assertEquals("CMD", test.get(0), name + ": " + test);
      assertTrue(test.size() > 1, name + ": " + test);
      assertTrue(Yaml.value(service, "mem_limit").matches("[0-9]+[mg]"), name + ": " + service);
      List<String> ports = Yaml.items(Yaml.section(service, "ports"));
      assertFalse(ports.isEmpty(), name);
      for (String port : ports) {
        assertTrue(port.startsWith("127.0.0.1:"), name + " publishes " + port);
      }
    }
    for (String exporter : List.of("exporter", "exporter-demo")) {
      List<String> test =
          Yaml.items(Yaml.section(Yaml.section(services.get(exporter), "healthcheck"), "test"));
      assertEquals(Dockerfile.healthcheckCommand(), test.subList(1, test.size()), exporter);
    }
  }

  /** The launcher's heap ceiling at reference.conf's max-series, and 96 MiB (README, Sizing). */
  @Test
  void theExportersMemoryLimitFitsTheLaunchersHeapAndEachLimitCanBeChanged() throws Exception {
    String reference = Files.readString(ROOT.resolve("src/main/resources/reference.conf"));
    assertTrue(reference.contains("max-series = 200000"), "the default max-series moved");
    long heapMib = 32 + (200_000L * 1024 + 1048575) / 1048576;
    assertEquals((heapMib + 96) + "m", Yaml.value(services().get("exporter"), "mem_limit"));
    Map<String, String> limits =
        Map.of(
            "exporter", "SENSECAP_EXPORTER_MEM_LIMIT",
            "prometheus", "PROMETHEUS_MEM_LIMIT",
            "alertmanager", "ALERTMANAGER_MEM_LIMIT",
            "grafana", "GRAFANA_MEM_LIMIT");
    Map<String, String> variables =
        new LinkedHashMap<>(Map.of("COMPOSE_PROFILES", "live", "GRAFANA_ADMIN_PASSWORD", "x"));
    limits.values().forEach(variable -> variables.put(variable, "777m"));
    Map<String, List<String>> changed = services(variables);
    limits.forEach(
        (service, variable) ->
            assertEquals("777m", Yaml.value(changed.get(service), "mem_limit"), variable));
  }

  @Test
  void theAccessKeyIsASecretFileNotAnEnvironmentVariable() throws Exception {
    assertTrue(
        Files.readString(ROOT.resolve("src/main/resources/reference.conf"))
            .contains("access-key-file = ${?SENSECAP_ACCESS_KEY_FILE}"));
    Map<String, List<String>> services =
        services(
            Map.of(
                "COMPOSE_PROFILES",
                "live",
                "GRAFANA_ADMIN_PASSWORD",
                "x",
                "SENSECAP_ACCESS_KEY",
                "0F1E2D3C4B5A69788796A5B4C3D2E1F0"));
    List<String> exporter = services.get("exporter");
    assertEquals(
        List.of("source: sensecap_access_key"), Yaml.items(Yaml.section(exporter, "secrets")));
    List<String> environment = Yaml.section(exporter, "environment");
    assertTrue(
        environment.contains("SENSECAP_ACCESS_KEY_FILE: /run/secrets/sensecap_access_key"),
        environment.toString());
    SystemTools.Result config =
        compose(
            Map.of(
                "COMPOSE_PROFILES",
                "live",
                "GRAFANA_ADMIN_PASSWORD",
                "x",
                "SENSECAP_ACCESS_KEY",
                "0F1E2D3C4B5A69788796A5B4C3D2E1F0"),
            "config");
    assertFalse(config.output().contains("0F1E2D3C4B5A69788796A5B4C3D2E1F0"), config.output());
    List<String> secret =
        Yaml.section(
            Yaml.section(config.output().lines().toList(), "secrets"), "sensecap_access_key");
    assertEquals(List.of("file: " + ROOT.resolve("secrets/access-key")), secret);
  }

  /** Nothing waits for the exporter: Prometheus must scrape and alert while it cannot connect. */
  @Test
  void servicesWaitForWhatTheyNeedToBeHealthy() throws Exception {
    Map<String, List<String>> services = services();
    assertEquals(
        List.of("alertmanager:", "  condition: service_healthy"),
        Yaml.section(services.get("prometheus"), "depends_on"));
    assertEquals(
        List.of("prometheus:", "  condition: service_healthy"),
        Yaml.section(services.get("grafana"), "depends_on"));
    for (String name : SERVICES) {
      assertFalse(
          Yaml.section(services.get(name), "depends_on").stream()
              .anyMatch(l -> l.startsWith("exporter")),
          name);
    }
  }

  @Test
  void everyMountedFileExists() throws Exception {
    int mounts = 0;
    for (String line : Files.readAllLines(ROOT.resolve("docker-compose.yml"))) {
      String item = line.strip();
      if (item.startsWith("- ./")) {
        String source = item.substring(2, item.indexOf(':'));
        assertTrue(Files.exists(ROOT.resolve(source)), source + " is mounted but missing");
        mounts++;
      }
    }
    assertTrue(mounts >= 5, "found only " + mounts + " mounts");
  }

  @Test
  void everyImageIsPinned() throws Exception {
    List<String> images = new ArrayList<>();
    for (String line : Files.readAllLines(ROOT.resolve("docker-compose.yml"))) {
      if (line.strip().startsWith("image: ") && !line.contains("sensecap-exporter:local")) {
        images.add(line.strip().substring("image: ".length()));
      }
    }
    for (String line : Dockerfile.instructions()) {
      if (line.startsWith("FROM ")) {
        images.add(line.split(" ")[1]);
      }
    }
    assertEquals(5, images.size(), images.toString());
    for (String image : images) {
      String tag = image.substring(image.lastIndexOf(':') + 1);
      assertTrue(image.contains(":") && tag.matches(".*\\d.*"), image + " is not pinned");
      assertFalse(tag.equals("latest"), image);
    }
  }

  @Test
  void secretsStayOutOfGit() throws Exception {
    List<String> ignored = Files.readAllLines(ROOT.resolve(".gitignore"));
    assertTrue(ignored.contains(".env"), ignored.toString());
    assertTrue(ignored.contains("/secrets/"), ignored.toString());
    String example = Files.readString(ROOT.resolve(".env.example"));
    assertFalse(example.contains("SENSECAP_ACCESS_KEY="), "the key belongs in secrets/");
    assertTrue(example.contains("\nGRAFANA_ADMIN_PASSWORD=\n"), "no password to copy");
    assertTrue(
        Files.readAllLines(ROOT.resolve(".dockerignore")).contains("secrets/"),
        "the access key would be sent to the builder");
  }

  /**
   * Enough of YAML to read what {@code docker-compose config} prints: two spaces an indent, lists
   * at their key's indent, one key or item a line.
   */
  static final class Yaml {
    private Yaml() {}

    /** The lines under {@code key:}, at the top level of {@code lines}, one indent less. */
    static List<String> section(List<String> lines, String key) {
      List<String> section = new ArrayList<>();
      boolean in = false;
      for (String line : lines) {
        if (in && (line.startsWith("  ") || line.startsWith("- "))) {
          section.add(line.startsWith("- ") ? line : line.substring(2));
        } else if (in) {
          break;
        } else {
          in = line.equals(key + ":");
        }
      }
      return section;
    }

    static List<String> items(List<String> section) {
      return section.stream().filter(l -> l.startsWith("- ")).map(l -> l.substring(2)).toList();
    }

    static String value(List<String> lines, String key) {
      return lines.stream()
          .filter(l -> l.startsWith(key + ": "))
          .map(l -> l.substring(key.length() + 2))
          .findFirst()
          .orElse("");
    }
  }
}
