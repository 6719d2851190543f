package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.testing.Await;
import io.github.sensecapexporter.testing.Dockerfile;
import io.github.sensecapexporter.testing.Http;
import io.github.sensecapexporter.testing.SystemTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/sensecap-exporter}, run as README.md runs it: the JVM options it picks from the
 * configuration, read off the running process, and its arguments passed through.
 */
class LauncherIT {
  private static final Path LAUNCHER = Path.of("bin/sensecap-exporter").toAbsolutePath();
  private static final Path JAR =
      Path.of(System.getProperty("exporter.jar", "target/sensecap-exporter.jar")).toAbsolutePath();
  private static final Path JAVA_HOME =
      Path.of(ProcessHandle.current().info().command().orElseThrow()).getParent().getParent();

  @TempDir Path dir;
  private int port;
  private Process process;

  @BeforeEach
  void pickPort() throws IOException {
    port = SystemTools.freePort();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (process != null) {
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private Process launch(Map<String, String> environment, String... args) throws IOException {
    return launch(LAUNCHER, environment, args);
  }

  /**
   * The repository's launcher is given the built jar; one laid out as a package finds the jar
   * beside it.
   */
  private Process launch(Path launcher, Map<String, String> environment, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectError(dir.resolve("stderr").toFile())
            .redirectOutput(dir.resolve("stdout").toFile());
    builder.environment().put("JAVA_HOME", JAVA_HOME.toString());
    builder.environment().remove("SENSECAP_EXPORTER_JAR");
    if (launcher.equals(LAUNCHER)) {
      builder.environment().put("SENSECAP_EXPORTER_JAR", JAR.toString());
    }
    builder.environment().put("SENSECAP_ORG_ID", "521853156991");
    builder.environment().put("SENSECAP_ACCESS_KEY", "x");
    builder.environment().remove("JAVA_OPTS");
    builder.environment().putAll(environment);
    process = builder.start();
    return process;
  }

  /** A configuration that starts without a broker, serving on a port of its own. */
  private String config(String more) throws IOException {
    return "sensecap.mqtt.url = \"tcp://127.0.0.1:"
        + SystemTools.freePort()
        + "\"\nsensecap.http.host = \"127.0.0.1\"\nsensecap.http.port = "
        + port
        + "\nsensecap.state.path = \"\"\n"
        + more;
  }

  /** The JVM's arguments once the launcher has made itself java, and the exporter serves. */
  private List<String> jvmArguments() {
    Await.until(
        Duration.ofSeconds(20),
        "the exporter serving /-/healthy",
        () -> {
          assertTrue(process.isAlive(), () -> "exited: " + read("stderr"));
          try {
            return Http.get("http://127.0.0.1:" + port + "/-/healthy").statusCode() == 200;
          } catch (RuntimeException notYet) {
            return false;
          }
        });
    ProcessHandle.Info info = process.toHandle().info();
    assertTrue(info.command().orElseThrow().endsWith("/bin/java"), info.toString());
    return List.of(info.arguments().orElseThrow());
  }

  private String read(String file) {
    try {
      return Files.readString(dir.resolve(file));
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static String heapOption(List<String> arguments) {
    List<String> heaps = arguments.stream().filter(a -> a.startsWith("-Xmx")).toList();
    assertEquals(1, heaps.size(), arguments.toString());
    return heaps.get(0);
  }

  @Test
  void sizesTheHeapFromTheDefaultMaxSeries() throws Exception {
    Files.writeString(dir.resolve("application.conf"), config(""));
    launch(Map.of());
    // reference.conf's 200,000 series at twice 512 bytes are 195.3 MiB, rounded up, plus 32 MiB.
    List<String> arguments = jvmArguments();
    assertEquals("-Xmx228m", heapOption(arguments));
    assertTrue(arguments.contains("-XX:+UseSerialGC"), arguments.toString());
    assertTrue(arguments.contains("-Xms8m"), arguments.toString());
    Await.until(
        Duration.ofSeconds(20), "start-up to end", () -> read("stderr").contains("Main: serving"));
    assertTrue(!read("stderr").contains("may need"), "the launcher's own heap is too small");
  }

  /** Decimal, as the exporter reads it: a leading zero is not octal. */
  @Test
  void readsTheConfigFileOfConfigEqualsAndALeadingZero() throws Exception {
    Files.writeString(dir.resolve("other.conf"), config("sensecap.series.max-series = 0100000"));
    launch(Map.of(), "--config=other.conf");
    assertEquals("-Xmx130m", heapOption(jvmArguments()));
  }

  @Test
  void readsMaxSeriesFromTheConfigFileItIsGivenNotFromAComment() throws Exception {
    Files.writeString(
        dir.resolve("other.conf"),
        config(
            """
            # sensecap.series.max-series = 5
            // max-series = 7
            sensecap { series { max-series = 100000 } } # once max-series = 9
            """));
    launch(Map.of(), "--config", "other.conf");
    // 100,000 series at twice 512 bytes are 97.7 MiB, rounded up, plus 32 MiB.
    assertEquals("-Xmx130m", heapOption(jvmArguments()));
  }

  @Test
  void aSystemPropertyInJavaOptsWinsOverTheFileAsInTheExporter() throws Exception {
    Files.writeString(dir.resolve("application.conf"), config("sensecap.series.max-series = 10"));
    launch(Map.of("JAVA_OPTS", "-Dsensecap.series.max-series=1000000"));
    // 1,000,000 series at twice 512 bytes are 976.6 MiB, rounded up, plus 32 MiB.
    assertEquals("-Xmx1009m", heapOption(jvmArguments()));
  }

  @Test
  void setOnTheCommandLineWinsOverJavaOptsAsInTheExporter() throws Exception {
    Files.writeString(dir.resolve("application.conf"), config(""));
    launch(
        Map.of("JAVA_OPTS", "-Dsensecap.series.max-series=1000000"),
        "--set",
        "sensecap.series.max-series=100000");
    assertEquals("-Xmx130m", heapOption(jvmArguments()));
  }

  /** Typesafe Config's names: {@code _} for a dot, {@code __} for a dash. */
  @Test
  void theEnvironmentSetsAnyKeyOverTheFileForTheLauncherAndTheExporter() throws Exception {
    Files.writeString(dir.resolve("application.conf"), config(""));
    int other = SystemTools.freePort();
    launch(
        Map.of(
            "CONFIG_FORCE_sensecap_series_max__series",
            "100000",
            "CONFIG_FORCE_sensecap_http_port",
            Integer.toString(other)));
    port = other;
    assertEquals("-Xmx130m", heapOption(jvmArguments()));
  }

  @Test
  void javaOptsComeLastSoThatTheyOverrideTheLaunchersOwn() throws Exception {
    Files.writeString(dir.resolve("application.conf"), config(""));
    launch(Map.of("JAVA_OPTS", "-Xmx300m -XX:ReservedCodeCacheSize=48m"));
    List<String> arguments = jvmArguments();
    int jar = arguments.indexOf("-jar");
    assertTrue(
        arguments.lastIndexOf("-Xmx300m") > arguments.indexOf("-Xmx228m"), arguments.toString());
    assertTrue(
        arguments.indexOf("-XX:ReservedCodeCacheSize=48m")
            > arguments.indexOf("-XX:ReservedCodeCacheSize=32m"),
        arguments.toString());
    assertTrue(arguments.indexOf("-XX:ReservedCodeCacheSize=48m") < jar, arguments.toString());
  }

  /** The JVM refuses two collectors: one in JAVA_OPTS replaces the launcher's. */
  @Test
  void aCollectorInJavaOptsReplacesTheLaunchersOwn() throws Exception {
    Files.writeString(dir.resolve("application.conf"), config(""));
    launch(Map.of("JAVA_OPTS", "-XX:+UseG1GC"));
    List<String> arguments = jvmArguments();
    assertTrue(arguments.contains("-XX:+UseG1GC"), arguments.toString());
    assertTrue(!arguments.contains("-XX:+UseSerialGC"), arguments.toString());
  }

  @Test
  void theExporterWarnsWhenJavaOptsGiveLessHeapThanMaxSeriesNeeds() throws Exception {
    Files.writeString(dir.resolve("application.conf"), config(""));
    launch(Map.of("JAVA_OPTS", "-Xmx64m -Dsensecap.series.max-series=1000000"));
    jvmArguments();
    String log = read("stdout") + read("stderr");
    assertTrue(
        log.contains("WARN")
            && log.contains("sensecap.series.max-series = 1000000 may need 505 MiB of heap"),
        log);
  }

  @Test
  void passesItsArgumentsThroughAndTheExportersExitCode() throws Exception {
    assertTrue(launch(Map.of(), "--version").waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, process.exitValue(), read("stderr"));
    assertTrue(read("stdout").startsWith("sensecap-exporter "), read("stdout"));
    assertTrue(launch(Map.of(), "--no-such-option").waitFor(30, TimeUnit.SECONDS));
    assertEquals(2, process.exitValue(), read("stderr"));
  }

  /**
   * As a package and the container image lay it out: the jar in {@code lib/} beside {@code bin/},
   * found without {@code SENSECAP_EXPORTER_JAR}; the state file where {@code SENSECAP_STATE_PATH}
   * puts it, as the image sets it.
   */
  /** The launcher and the jar under {@code dir/opt/sensecap-exporter}, as in the image. */
  private void packageLayout() throws IOException {
    Path opt = Files.createDirectories(dir.resolve("opt/sensecap-exporter"));
    Path launcher = Files.createDirectories(opt.resolve("bin")).resolve("sensecap-exporter");
    Files.copy(LAUNCHER, launcher, StandardCopyOption.COPY_ATTRIBUTES);
    Files.copy(JAR, Files.createDirectories(opt.resolve("lib")).resolve("sensecap-exporter.jar"));
  }

  @Test
  void findsTheJarInAPackageLayoutAndKeepsStateWhereTheEnvironmentSays() throws Exception {
    packageLayout();
    Path state = Files.createDirectories(dir.resolve("var")).resolve("state");
    Files.writeString(
        dir.resolve("application.conf"), config("").replace("sensecap.state.path = \"\"\n", ""));
    // Started through a link elsewhere, as a package's /usr/bin entry would be.
    Path link = Files.createDirectories(dir.resolve("usr/bin")).resolve("sensecap-exporter");
    Files.createSymbolicLink(link, Path.of("../../opt/sensecap-exporter/bin/sensecap-exporter"));
    launch(link, Map.of("SENSECAP_STATE_PATH", state.toString()));
    assertEquals("-Xmx228m", heapOption(jvmArguments()));
    // Started, not only serving HTTP: a SIGTERM before that has no store to save.
    Await.until(
        Duration.ofSeconds(20), "start-up to end", () -> read("stderr").contains("Main: serving"));
    process.destroy();
    assertTrue(process.waitFor(20, TimeUnit.SECONDS));
    assertEquals(0, process.exitValue(), read("stderr"));
    assertTrue(Files.isRegularFile(state), "no state file at " + state + ": " + read("stderr"));
  }

  /**
   * As the image's healthcheck runs it, beside a running exporter: its own small JVM, which
   * JAVA_OPTS do not reach (one the JVM refuses would otherwise fail every probe).
   */
  private SystemTools.Result probe(String path) throws Exception {
    return run(LAUNCHER.toString(), "--probe", "http://127.0.0.1:" + port + path);
  }

  private SystemTools.Result run(String... command) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    builder.environment().put("JAVA_HOME", JAVA_HOME.toString());
    if (command[0].equals(LAUNCHER.toString())) {
      builder.environment().put("SENSECAP_EXPORTER_JAR", JAR.toString());
    } else {
      builder.environment().remove("SENSECAP_EXPORTER_JAR");
    }
    builder.environment().put("JAVA_OPTS", "-XX:+NoSuchOptionForTheExporter");
    Process probe = builder.start();
    String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(probe.waitFor(30, TimeUnit.SECONDS), output);
    return new SystemTools.Result(probe.exitValue(), output);
  }

  @Test
  void theProbeIsHealthyAgainstAReadyExporterAndUnhealthyAgainstNothing() throws Exception {
    Files.writeString(dir.resolve("application.conf"), config(""));
    launch(Map.of(), "--demo");
    jvmArguments();
    Await.until(
        Duration.ofSeconds(20),
        "the demo exporter ready",
        () -> Http.get("http://127.0.0.1:" + port + "/-/ready").statusCode() == 200);
    assertEquals(new SystemTools.Result(0, ""), probe("/-/ready"));
    process.destroy();
    assertTrue(process.waitFor(20, TimeUnit.SECONDS));
    SystemTools.Result nothing = probe("/-/ready");
    assertEquals(1, nothing.exitCode(), nothing.output());
    assertEquals(1, nothing.output().lines().count(), nothing.output());
    assertTrue(
        nothing.output().startsWith("sensecap-exporter: probe: http://127.0.0.1:" + port),
        nothing.output());
  }

  /**
   * The image's HEALTHCHECK, run in the image's layout against an exporter that cannot reach its
   * broker: alive, so healthy, though not ready.
   */
  @Test
  void theImagesHealthcheckPassesWhileTheBrokerIsAwayAndReadinessDoesNot() throws Exception {
    packageLayout();
    Files.writeString(dir.resolve("application.conf"), config(""));
    launch(Map.of());
    jvmArguments();
    List<String> healthcheck = new ArrayList<>(Dockerfile.healthcheckCommand());
    healthcheck.set(0, dir + healthcheck.get(0));
    // The exporter here serves on a free port; in the image, on the 9816 it exposes.
    healthcheck.replaceAll(arg -> arg.replace(":9816/", ":" + port + "/"));
    assertEquals(new SystemTools.Result(0, ""), run(healthcheck.toArray(new String[0])));
    SystemTools.Result ready = probe("/-/ready");
    assertEquals(1, ready.exitCode(), ready.output());
    assertTrue(ready.output().endsWith("/-/ready answered 503\n"), ready.output());
  }

  @Test
  void aMissingJarStopsItWithOneLineAndExitCode1() throws Exception {
    assertTrue(
        launch(Map.of("SENSECAP_EXPORTER_JAR", dir.resolve("none.jar").toString()))
            .waitFor(30, TimeUnit.SECONDS));
    assertEquals(1, process.exitValue());
    assertEquals(1, read("stderr").lines().count(), read("stderr"));
    assertTrue(read("stderr").startsWith("sensecap-exporter: cannot start: "), read("stderr"));
  }
}
