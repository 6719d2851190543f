package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.demo.DemoBroker;
import io.github.sensecapexporter.state.StateFile;
import io.github.sensecapexporter.testing.Await;
import io.github.sensecapexporter.testing.Http;
import io.github.sensecapexporter.testing.MetricsText;
import io.github.sensecapexporter.testing.Publisher;
import io.github.sensecapexporter.testing.SystemTools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, run as a user runs it: its command line, exit codes, output and signals. */
class JarIT {
  private static final Path JAR =
      Path.of(System.getProperty("exporter.jar", "target/sensecap-exporter.jar"));
  private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
  private static final int DEMO_DEVICES = 9;
  private static final String SECRET = "S3CRET-ACCESS-KEY-7f1c2d";

  @TempDir Path dir;

  private Process start(List<String> jvmOptions, String... args) throws IOException {
    return start(Map.of(), jvmOptions, args);
  }

  private Process start(Map<String, String> environment, List<String> jvmOptions, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(JAVA));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectError(dir.resolve("stderr").toFile())
            .redirectOutput(dir.resolve("stdout").toFile());
    builder.environment().remove("SENSECAP_ORG_ID");
    builder.environment().remove("SENSECAP_ACCESS_KEY");
    builder.environment().remove("SENSECAP_ACCESS_KEY_FILE");
    builder.environment().putAll(environment);
    return builder.start();
  }

  private int runToEnd(List<String> jvmOptions, String... args) throws Exception {
    Process process = start(jvmOptions, args);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "did not exit");
    return process.exitValue();
  }

  private String stdout() throws IOException {
    return Files.readString(dir.resolve("stdout"));
  }

  private String stderr() throws IOException {
    return Files.readString(dir.resolve("stderr"));
  }

  @Nested
  class CommandLine {
    /** The revision is the checkout's, as git names it; sources without .git record "unknown". */
    @Test
    void printsTheVersionTheRevisionOfTheCheckoutAndTheBuildDate() throws Exception {
      assertEquals(0, runToEnd(List.of(), "--version"));
      Matcher line =
          Pattern.compile("sensecap-exporter (\\S+) \\(revision (\\S+), built (\\S+)\\)\n")
              .matcher(stdout());
      assertTrue(line.matches(), stdout());
      assertEquals(System.getProperty("exporter.version"), line.group(1));
      String revision = line.group(2);
      if (Files.exists(Path.of(".git"))) {
        SystemTools.Result head =
            SystemTools.run(
                Path.of("."), null, SystemTools.require("git").toString(), "rev-parse", "HEAD");
        assertEquals(0, head.exitCode(), head.output());
        assertTrue(
            revision.length() >= 7 && head.output().strip().startsWith(revision),
            revision + " is not the checkout's " + head.output());
      } else {
        assertEquals("unknown", revision);
      }
      assertTrue(
          Instant.parse(line.group(3)).isAfter(Instant.now().minus(Duration.ofDays(1))), stdout());
    }

    @Test
    void printsHelp() throws Exception {
      assertEquals(0, runToEnd(List.of(), "--help"));
      assertTrue(stdout().contains("--demo"), stdout());
    }

    @Test
    void setsAKeyAfterTheJarAndNamesAMistypedOneWithExitCode2() throws Exception {
      assertEquals(
          2,
          runToEnd(
              List.of(),
              "--set",
              "sensecap.org-id=521853156991",
              "--set=sensecap.access-key=x",
              "--set=sensecap.mqtt.qos=3"),
          stderr());
      assertTrue(
          stderr().contains("configuration error: sensecap.mqtt.qos: must be 0 or 1, not 3"),
          stderr());
      assertEquals(2, runToEnd(List.of(), "--set", "sensecap.htpp.port=1"), stderr());
      assertTrue(stderr().contains("sensecap.htpp.port"), stderr());
      assertEquals(2, runToEnd(List.of(), "--set", "other.key=1"), stderr());
      assertTrue(stderr().contains("--set other.key: not a key of the exporter's"), stderr());
    }

    @Test
    void namesAKeyMistypedInTheEnvironmentWithExitCode2() throws Exception {
      Process process =
          start(
              Map.of("CONFIG_FORCE_sensecap_htpp_port", "1"),
              List.of("-Dsensecap.org-id=521853156991", "-Dsensecap.access-key=x"));
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "did not exit");
      assertEquals(2, process.exitValue(), stderr());
      assertTrue(stderr().contains("configuration error: sensecap.htpp.port"), stderr());
    }

    @Test
    void rejectsAnUnknownArgumentWithExitCode2() throws Exception {
      assertEquals(2, runToEnd(List.of(), "--verbose"));
      assertTrue(stderr().startsWith("sensecap-exporter: unknown argument: --verbose"), stderr());
    }
  }

  @Nested
  class BadConfiguration {
    @Test
    void stopsWithOneLineNamingTheKeyAndExitCode2() throws Exception {
      int exit =
          runToEnd(
              List.of(
                  "-Dsensecap.org-id=521853156991",
                  "-Dsensecap.access-key=" + SECRET,
                  "-Dsensecap.mqtt.qos=3"));
      assertEquals(2, exit);
      assertEquals(
          "sensecap-exporter: configuration error: sensecap.mqtt.qos: must be 0 or 1, not 3",
          stderr().strip());
      assertFalse(stderr().contains(SECRET));
    }

    @Test
    void namesTheMissingOrganisation() throws Exception {
      assertEquals(2, runToEnd(List.of("-Dsensecap.access-key=" + SECRET)));
      assertTrue(
          stderr()
              .startsWith("sensecap-exporter: configuration error: sensecap.org-id: is required"),
          stderr());
      assertEquals(1, stderr().strip().lines().count(), stderr());
    }

    @Test
    void namesTheKeyInABadConfigFile() throws Exception {
      Path config = dir.resolve("bad.conf");
      Files.writeString(config, "sensecap.series.expire-after = -5m\n");
      assertEquals(
          2,
          runToEnd(
              List.of("-Dsensecap.org-id=1", "-Dsensecap.access-key=" + SECRET),
              "--config",
              config.toString()));
      assertTrue(
          stderr()
              .startsWith("sensecap-exporter: configuration error: sensecap.series.expire-after:"),
          stderr());
    }

    @Test
    void rejectsAMistypedSystemPropertyNamingIt() throws Exception {
      int exit =
          runToEnd(
              List.of(
                  "-Dsensecap.org-id=521853156991",
                  "-Dsensecap.access-key=" + SECRET,
                  "-Dsensecap.htpp.port=1"));
      assertEquals(2, exit, stderr());
      assertEquals(
          "sensecap-exporter: configuration error: sensecap.htpp.port: is not a known key"
              + " (see README.md for the list)",
          stderr().strip());
    }

    @Test
    void aKeystoreThatIsADirectoryNamesItsKeyAndHidesThePassword() throws Exception {
      Path directory = Files.createDirectory(dir.resolve("server.p12"));
      int exit =
          runToEnd(
              List.of(
                  "-Dsensecap.org-id=521853156991",
                  "-Dsensecap.access-key=" + SECRET,
                  "-Dsensecap.http.tls.keystore-file=" + directory,
                  "-Dsensecap.http.tls.keystore-password=" + SECRET));
      assertEquals(2, exit, stderr());
      assertEquals(
          "sensecap-exporter: configuration error: sensecap.http.tls.keystore-file: "
              + directory
              + " is a directory, not a file",
          stderr().strip());
    }
  }

  /** A valid configuration the machine does not let run: exit 1, one line, no stack trace. */
  @Nested
  class StartUpFailure {
    private List<String> options(String... more) throws IOException {
      List<String> options =
          new ArrayList<>(
              List.of(
                  "-Dsensecap.org-id=521853156991",
                  "-Dsensecap.access-key=" + SECRET,
                  "-Dsensecap.mqtt.url=tcp://127.0.0.1:" + SystemTools.freePort(),
                  "-Dsensecap.http.host=127.0.0.1",
                  "-Dsensecap.state.path=" + dir.resolve("exporter.state")));
      options.addAll(List.of(more));
      return options;
    }

    private void assertOneLine(String expectedStart) throws IOException {
      String log = stderr();
      List<String> failures = log.lines().filter(line -> line.contains("cannot start")).toList();
      assertEquals(1, failures.size(), log);
      assertTrue(failures.get(0).startsWith(expectedStart), log);
      assertFalse(log.contains("\tat "), "a stack trace: " + log);
      assertFalse(log.contains(SECRET), log);
    }

    @Test
    void aTakenHttpPortExitsOneNamingTheKey() throws Exception {
      try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
        int port = taken.getLocalPort();
        assertEquals(1, runToEnd(options("-Dsensecap.http.port=" + port)), stderr());
        assertOneLine(
            "sensecap-exporter: cannot start: sensecap.http.port: cannot listen on 127.0.0.1:"
                + port
                + " (Address already in use)");
      }
    }

    @Test
    void aCertificateThatExistsButCannotBeReadExitsOneNamingTheKey() throws Exception {
      // Reading /proc/self/mem from its start fails with an I/O error, even for root.
      Path unreadable = Path.of("/proc/self/mem");
      Path key = Files.writeString(dir.resolve("server.key"), "");
      assertEquals(
          1,
          runToEnd(
              options(
                  "-Dsensecap.http.port=0",
                  "-Dsensecap.http.tls.cert-file=" + unreadable,
                  "-Dsensecap.http.tls.key-file=" + key)),
          stderr());
      assertOneLine(
          "sensecap-exporter: cannot start: sensecap.http.tls.cert-file: cannot read /proc/self/mem"
              + " (Input/output error)");
      assertTrue(stderr().strip().endsWith("(Input/output error)"), stderr());
    }

    @Test
    void aConfigurationFileThatExistsButCannotBeReadExitsOne() throws Exception {
      List<String> arguments = new ArrayList<>(options("-Dsensecap.http.port=0"));
      assertEquals(1, runToEnd(arguments, "--config", "/proc/self/mem"), stderr());
      assertOneLine(
          "sensecap-exporter: cannot start: --config: cannot read /proc/self/mem"
              + " (Input/output error)");
    }

    @Test
    void aStateDirectoryThatCannotBeWrittenExitsOneAtOnce() throws Exception {
      // sysfs takes no new files, not even from root.
      assertEquals(
          1,
          runToEnd(
              options(
                  "-Dsensecap.http.port=0", "-Dsensecap.state.path=/sys/sensecap-exporter.state")),
          stderr());
      assertOneLine("sensecap-exporter: cannot start: sensecap.state.path: cannot write in /sys (");
    }
  }

  @Nested
  class Demo {
    @Test
    void servesTheFleetWithin15SecondsAndExitsZeroOnSigterm() throws Exception {
      long started = System.nanoTime();
      Process process = start(List.of("-Dsensecap.http.port=0"), "--demo");
      String metricsUrl = awaitPrintedUrl(process);
      Await.until(
          Duration.ofSeconds(15).minusNanos(System.nanoTime() - started),
          "the demo fleet on " + metricsUrl,
          () -> {
            String page = Http.get(metricsUrl).body();
            return devicesIn(page, "sensecap_measurement_value{") == DEMO_DEVICES
                && devicesIn(page, "sensecap_device_status_value{") == DEMO_DEVICES
                // The simulated HTTP API's first poll: the fleet by name, and its gateway.
                && devicesIn(page, "sensecap_device_online{") == DEMO_DEVICES
                && page.contains("sensecap_gateway_online{");
          });
      System.out.println(
          "FIGURE demo_fleet_served_after_launch_ms=" + (System.nanoTime() - started) / 1_000_000);
      String page = Http.get(metricsUrl).body();
      assertEquals(1.0, MetricsText.value(page, "sensecap_exporter_mqtt_connected"));
      assertEquals(DEMO_DEVICES, devicesIn(page, "sensecap_device_info{"));
      assertEquals(DEMO_DEVICES, devicesIn(page, "sensecap_device_latitude_degrees{"));

      process.destroy(); // SIGTERM
      assertTrue(process.waitFor(10, TimeUnit.SECONDS), "did not stop within 10 s of SIGTERM");
      assertEquals(0, process.exitValue(), stderr());
      assertTrue(stderr().contains("disconnected from"), stderr());
    }

    private String awaitPrintedUrl(Process process) throws Exception {
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(
                  Files.newInputStream(dir.resolve("stdout")), StandardCharsets.UTF_8))) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
          String line = out.readLine();
          if (line == null) {
            assertTrue(process.isAlive(), () -> "demo exited: " + stderrQuietly());
            Thread.sleep(50);
            continue;
          }
          int start = line.indexOf("http://");
          if (start >= 0) {
            return line.substring(start, line.indexOf(' ', start));
          }
        }
      }
      throw new AssertionError("the demo printed no URL: " + stderrQuietly());
    }
  }

  @Nested
  class GracefulShutdown {
    @Test
    void sigtermSavesTheSeriesDisconnectsAndExitsZeroWithinSeconds() throws Exception {
      try (DemoBroker broker = DemoBroker.start("127.0.0.1", 0, 0)) {
        int port = SystemTools.freePort();
        Path state = dir.resolve("exporter.state");
        Process process =
            start(
                List.of(
                    "-Dsensecap.org-id=521853156991",
                    "-Dsensecap.access-key=" + SECRET,
                    "-Dsensecap.mqtt.url=" + broker.tcpUrl(),
                    "-Dsensecap.http.port=" + port,
                    "-Dsensecap.state.path=" + state));
        String metricsUrl = "http://127.0.0.1:" + port + "/metrics";
        Await.until(
            Duration.ofSeconds(20),
            "subscribed",
            () ->
                MetricsText.value(Http.get(metricsUrl).body(), "sensecap_exporter_mqtt_subscribed")
                    == 1.0);
        try (Publisher publisher = new Publisher(broker.tcpUrl())) {
          publisher.publish(
              "/device_sensor_data/521853156991/2CF7F1C04430065C/1/vs/4097", "{\"value\":22.5}");
        }
        Await.until(
            Duration.ofSeconds(20),
            "the reading served",
            () ->
                MetricsText.value(Http.get(metricsUrl).body(), "sensecap_exporter_series") == 1.0);

        long signalled = System.nanoTime();
        process.destroy(); // SIGTERM
        assertTrue(process.waitFor(5, TimeUnit.SECONDS), "still running 5 s after SIGTERM");
        System.out.println(
            "FIGURE sigterm_to_exit_ms=" + (System.nanoTime() - signalled) / 1_000_000);
        assertEquals(0, process.exitValue(), stderr());
        List<Double> saved = new ArrayList<>();
        new StateFile(state, "521853156991")
            .load((key, sample) -> saved.add(sample.value()), fleet -> {});
        assertEquals(List.of(22.5), saved, "the state file holds the series");
        String log = stderr();
        assertTrue(log.indexOf("shutting down") < log.indexOf("disconnected from"), log);
      }
    }
  }

  @Nested
  class Secrets {
    @Test
    void theAccessKeyAppearsInNoLogAndNotOnMetrics() throws Exception {
      int port = SystemTools.freePort();
      Process process =
          start(
              List.of(
                  "-Dsensecap.org-id=521853156991",
                  "-Dsensecap.access-key=" + SECRET,
                  "-Dsensecap.mqtt.url=tcp://127.0.0.1:" + SystemTools.freePort(),
                  "-Dsensecap.mqtt.initial-reconnect-delay=100ms",
                  "-Dsensecap.log.level=TRACE",
                  "-Dsensecap.state.path=" + dir.resolve("state"),
                  "-Dsensecap.http.port=" + port));
      String metricsUrl = "http://127.0.0.1:" + port + "/metrics";
      Await.until(
          Duration.ofSeconds(20),
          "several failed connection attempts",
          () ->
              MetricsText.value(
                      Http.get(metricsUrl).body(),
                      "sensecap_exporter_mqtt_connection_attempts_total")
                  >= 3);
      String page = Http.get(metricsUrl).body();
      process.destroy();
      assertTrue(process.waitFor(10, TimeUnit.SECONDS));
      assertFalse(page.contains(SECRET));
      assertFalse(stderr().contains(SECRET), "the access key is in the log");
      assertFalse(stdout().contains(SECRET));
      // Logged once as a state change; the retries that follow go to DEBUG.
      assertEquals(
          1,
          stderr()
              .lines()
              .filter(line -> line.contains("WARN") && line.contains("cannot connect to"))
              .count(),
          stderr());
      assertTrue(stderr().contains("DEBUG MqttSubscriber: cannot connect to"), stderr());
    }
  }

  private String stderrQuietly() {
    try {
      return stderr();
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** How many distinct device EUIs the samples starting with {@code prefix} name. */
  private static long devicesIn(String page, String prefix) {
    return page.lines()
        .filter(line -> line.startsWith(prefix))
        .map(
            line ->
                line.substring(
                    line.indexOf("device_eui=\"") + 12, line.indexOf("device_eui=\"") + 28))
        .distinct()
        .count();
  }
}
