package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.sensecapexporter.testing.SystemTools;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The revision recorded by a build: of a git checkout, its HEAD, a merge commit too; of sources
 * that are no git checkout, as a Docker build context or a source tarball is, "unknown"; either way
 * the one named with -Dsensecap.revision if there is one. The build is this pom.xml run by Maven up
 * to the filtered resources, offline against the local repository the outer build filled.
 */
class BuildRevisionIT {
  @TempDir Path sources;

  @BeforeEach
  void copySourcesWithoutGit() throws IOException {
    Files.copy(Path.of("pom.xml"), sources.resolve("pom.xml"));
    Path resources = Path.of("src/main/resources");
    try (Stream<Path> files = Files.walk(resources)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Path copy = sources.resolve("src/main/resources").resolve(resources.relativize(file));
        Files.createDirectories(copy.getParent());
        Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }

  private Properties build(String... options) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                SystemTools.require("mvn").toString(),
                "-o",
                "-B",
                "-q",
                "-Dmaven.repo.local=" + System.getProperty("maven.repo.local"),
                "process-resources"));
    command.addAll(List.of(options));
    SystemTools.Result result = SystemTools.run(sources, null, command.toArray(String[]::new));
    assertEquals(0, result.exitCode(), result.output());
    Properties properties = new Properties();
    try (InputStream in =
        Files.newInputStream(
            sources.resolve("target/classes/io/github/sensecapexporter/version.properties"))) {
      properties.load(in);
    }
    return properties;
  }

  @Test
  void recordsAnUnknownRevisionWithoutGit() throws Exception {
    assertEquals("unknown", build().getProperty("revision"));
  }

  @Test
  void recordsTheHeadOfACheckoutEvenWhenItIsAMerge() throws Exception {
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "sources");
    git("checkout", "-q", "-b", "side");
    Files.writeString(sources.resolve("side.txt"), "a change on a branch\n");
    git("add", "side.txt");
    git("commit", "-q", "-m", "side");
    git("checkout", "-q", "main");
    git("merge", "-q", "--no-ff", "-m", "merge", "side");
    String head = git("rev-parse", "--short=7", "HEAD").strip();

    assertEquals(head, build().getProperty("revision"));
    assertEquals("abc1234", build("-Dsensecap.revision=abc1234").getProperty("revision"));
  }

  private String git(String... arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of(SystemTools.require("git").toString()));
    command.addAll(List.of("-c", "user.name=Build", "-c", "user.email=build@example.invalid"));
    command.addAll(List.of(arguments));
    SystemTools.Result result = SystemTools.run(sources, null, command.toArray(String[]::new));
    assertEquals(0, result.exitCode(), result.output());
    return result.output();
  }

  @Test
  void recordsTheRevisionItIsGiven() throws Exception {
    Properties properties = build("-Dsensecap.revision=abc1234");
    assertEquals("abc1234", properties.getProperty("revision"));
    assertEquals(System.getProperty("exporter.version"), properties.getProperty("version"));
  }
}
