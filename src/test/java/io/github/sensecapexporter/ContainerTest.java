package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.testing.Dockerfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile, read as Docker reads it. No Docker engine runs the tests: LauncherIT runs what
 * the image runs, in its layout; ComposeTest checks docker-compose.yml.
 */
class ContainerTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();

  @Test
  void runsAsAnUnprivilegedUser() throws Exception {
    String user =
        Dockerfile.finalStage().stream()
            .filter(l -> l.startsWith("USER "))
            .reduce((a, b) -> b)
            .orElse("");
    assertFalse(user.isEmpty(), "no USER in Dockerfile");
    assertFalse(user.contains("root") || user.matches("USER 0(:.*)?"), user);
  }

  /** LauncherIT runs the launcher in the layout these lines make. */
  @Test
  void startsTheLauncherBesideTheJarInLib() throws Exception {
    List<String> image = Dockerfile.finalStage();
    assertTrue(
        image.contains(
            "COPY --chmod=0755 bin/sensecap-exporter"
                + " /opt/sensecap-exporter/bin/sensecap-exporter"),
        "the launcher is not copied to bin/");
    assertTrue(
        image.stream()
            .anyMatch(
                l ->
                    l.startsWith("COPY --from=build ")
                        && l.endsWith(" /opt/sensecap-exporter/lib/sensecap-exporter.jar")),
        "the jar is not copied to lib/");
    assertTrue(
        Files.isExecutable(ROOT.resolve("bin/sensecap-exporter")),
        "the launcher is not executable");
    assertTrue(
        image.contains("ENTRYPOINT [\"/opt/sensecap-exporter/bin/sensecap-exporter\"]"),
        "the entry point is not the launcher");
  }

  /** LauncherIT runs this command against an exporter laid out as the image lays it out. */
  @Test
  void itsHealthcheckIsTheLaunchersProbeOfHealthyOnTheExposedPort() throws Exception {
    assertEquals(
        List.of(
            "/opt/sensecap-exporter/bin/sensecap-exporter",
            "--probe",
            "http://127.0.0.1:9816/-/healthy"),
        Dockerfile.healthcheckCommand());
    assertTrue(Dockerfile.finalStage().contains("EXPOSE 9816"));
    String healthcheck =
        Dockerfile.finalStage().stream()
            .filter(l -> l.startsWith("HEALTHCHECK "))
            .findFirst()
            .orElseThrow();
    // Longer than the probe's own 2 s bound, so that Docker never kills a probe about to answer.
    assertTrue(healthcheck.contains(" --timeout=5s "), healthcheck);
  }

  @Test
  void carriesTheOciLabelsTheirValuesFromBuildArguments() throws Exception {
    List<String> image = Dockerfile.finalStage();
    String labels =
        image.stream().filter(l -> l.startsWith("LABEL ")).reduce("", (a, b) -> a + " " + b);
    for (String fixed : List.of("title", "description", "source", "licenses")) {
      assertTrue(
          labels.matches(".* org\\.opencontainers\\.image\\." + fixed + "=\"[^\"$]+\".*"),
          fixed + " missing: " + labels);
    }
    assertTrue(labels.contains("org.opencontainers.image.licenses=\"Apache-2.0\""), labels);
    for (String arg : List.of("VERSION", "REVISION", "CREATED")) {
      String key = "org.opencontainers.image." + arg.toLowerCase(java.util.Locale.ROOT);
      assertTrue(labels.contains(key + "=\"${" + arg + "}\""), key + ": " + labels);
      assertTrue(image.contains("ARG " + arg + "=unknown"), "ARG " + arg + " in the last stage");
    }
  }

  /** The build context has no .git (.dockerignore): the jar's revision must come from here. */
  @Test
  void passesTheRevisionIntoTheMavenBuild() throws Exception {
    List<String> instructions = Dockerfile.instructions();
    int arg = instructions.indexOf("ARG REVISION=unknown");
    int build =
        instructions.indexOf("RUN mvn -B -ntp package -DskipTests -Dsensecap.revision=${REVISION}");
    assertTrue(arg >= 0 && arg < build, instructions.toString());
    assertTrue(Files.readAllLines(ROOT.resolve(".dockerignore")).contains(".git/"));
  }
}
