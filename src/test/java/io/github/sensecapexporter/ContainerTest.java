package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.testing.Dockerfile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
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

  /**
   * The build context has no .git (.dockerignore): the jar's revision must come from here, and in
   * the form a build from a checkout records, the commit's first 7 characters, so that one commit
   * is one build_info value. The build's RUN line is run by sh, with a mvn that prints its words.
   */
  @Test
  void passesTheRevisionIntoTheMavenBuildAbbreviated() throws Exception {
    List<String> instructions = Dockerfile.instructions();
    int arg = instructions.indexOf("ARG REVISION=unknown");
    int build = -1;
    for (int i = 0; i < instructions.size(); i++) {
      if (instructions.get(i).startsWith("RUN mvn ") && instructions.get(i).contains(" package ")) {
        build = i;
      }
    }
    assertTrue(arg >= 0 && arg < build, instructions.toString());
    assertTrue(Files.readAllLines(ROOT.resolve(".dockerignore")).contains(".git/"));
    String run = instructions.get(build).substring("RUN ".length());
    String commit = "3ca023f1e2d3c4b5a69788796a5b4c3d2e1f0a9b";
    assertEquals(List.of("-Dsensecap.revision=3ca023f"), revisionWords(run, commit));
    assertEquals(List.of("-Dsensecap.revision=unknown"), revisionWords(run, "unknown"));
  }

  private static List<String> revisionWords(String run, String revision) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder("sh", "-c", "mvn() { printf '%s\\n' \"$@\"; }; " + run)
            .redirectErrorStream(true);
    builder.environment().put("REVISION", revision);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), output);
    return output.lines().filter(w -> w.startsWith("-Dsensecap.revision")).toList();
  }

  /**
   * What the build reads reaches the builder, and what it does not (node_modules above all, large
   * and platform-specific) stays out of the context, as Docker matches .dockerignore's patterns.
   */
  @Test
  void theBuildContextHoldsWhatTheBuildCopiesAndNoMore() throws Exception {
    List<String> patterns =
        Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    List<String> sources = new ArrayList<>();
    for (String line : Dockerfile.instructions()) {
      if (line.startsWith("COPY ") && !line.contains("--from=")) {
        List<String> words =
            Arrays.stream(line.split(" ")).skip(1).filter(w -> !w.startsWith("--")).toList();
        sources.addAll(words.subList(0, words.size() - 1));
      }
    }
    assertEquals(List.of("pom.xml", "src", "bin/sensecap-exporter"), sources);
    for (String source : sources) {
      assertFalse(ignored(patterns, source), source + " is copied but ignored");
      assertTrue(Files.exists(ROOT.resolve(source)), source);
    }
    for (String path :
        List.of(
            "deploy/kubernetes/validate/node_modules/ajv/package.json",
            "deploy/debian/default",
            ".ci/run",
            "bench/results/x",
            "secrets/access-key",
            ".git/HEAD",
            "target/sensecap-exporter.jar")) {
      assertTrue(ignored(patterns, path), path + " reaches the builder");
    }
  }

  /** Docker's rule: a pattern matches a path or a directory above it; the last match decides. */
  private static boolean ignored(List<String> patterns, String path) {
    boolean ignored = false;
    for (String pattern : patterns) {
      boolean exception = pattern.startsWith("!");
      String glob = (exception ? pattern.substring(1) : pattern).replaceAll("/+$", "");
      StringBuilder regex = new StringBuilder();
      for (int i = 0; i < glob.length(); i++) {
        char c = glob.charAt(i);
        if (glob.startsWith("**/", i)) {
          regex.append("(.*/)?");
          i += 2;
        } else if (glob.startsWith("**", i)) {
          regex.append(".*");
          i++;
        } else if (c == '*') {
          regex.append("[^/]*");
        } else if (c == '?') {
          regex.append("[^/]");
        } else {
          regex.append(Pattern.quote(String.valueOf(c)));
        }
      }
      String prefix = path;
      while (true) {
        if (prefix.matches(regex.toString())) {
          ignored = !exception;
          break;
        }
        int slash = prefix.lastIndexOf('/');
        if (slash < 0) {
          break;
        }
        prefix = prefix.substring(0, slash);
      }
    }
    return ignored;
  }
}
