package io.github.sensecapexporter.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.sensecapexporter.config.ApiSettings;
import io.github.sensecapexporter.config.Settings;
import io.github.sensecapexporter.fleet.Fleet;
import io.github.sensecapexporter.fleet.FleetMetadata;
import io.github.sensecapexporter.testing.FakeSenseCapApi;
import io.github.sensecapexporter.testing.LogCapture;
import io.github.sensecapexporter.testing.MutableClock;
import io.github.sensecapexporter.testing.TestPki;
import io.github.sensecapexporter.testing.TestSettings;
import io.prometheus.client.CollectorRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API over HTTPS: trusted through sensecap.api.tls.ca-file, not through the JVM's store. */
class ApiTlsTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-07-10T03:00:00Z"));
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private TestPki pki;
  private FakeSenseCapApi api;
  private final CollectorRegistry registry = new CollectorRegistry();

  @BeforeEach
  void setUp() throws Exception {
    pki = TestPki.create(dir.resolve("pki"), "api");
    TestPki.Pair server = pki.server("api", "IP:127.0.0.1");
    Settings serving =
        TestSettings.forBroker(
            "tcp://127.0.0.1:1",
            "sensecap.http.tls.cert-file",
            server.cert().toString(),
            "sensecap.http.tls.key-file",
            server.key().toString());
    api = FakeSenseCapApi.start("organisation-4.json", clock, serving.http().tls().orElseThrow());
  }

  @AfterEach
  void tearDown() {
    api.close();
    threads.shutdownNow();
  }

  private Fleet poll(String... caFile) {
    List<String> overrides =
        new ArrayList<>(
            List.of(
                "sensecap.api.url",
                api.url().toString(),
                "sensecap.api.access-id",
                FakeSenseCapApi.ACCESS_ID,
                "sensecap.access-key",
                FakeSenseCapApi.ACCESS_KEY));
    if (caFile.length > 0) {
      overrides.add("sensecap.api.tls.ca-file");
      overrides.add(caFile[0]);
    }
    ApiSettings settings =
        TestSettings.forBroker("tcp://127.0.0.1:1", overrides.toArray(String[]::new)).api();
    ApiMetrics metrics = new ApiMetrics(registry);
    FleetMetadata fleet = new FleetMetadata(Fleet.EMPTY, clock, Duration.ofMinutes(10));
    ApiSettings.Connection connection = settings.connection().orElseThrow();
    new FleetPoll(
            new ApiClient(
                connection,
                settings.requestTimeout(),
                threads,
                metrics,
                System::nanoTime,
                duration -> clock.advance(duration)),
            fleet,
            metrics,
            clock,
            10_000)
        .run();
    return fleet.current();
  }

  @Test
  void theCaFileIsTrusted() {
    assertEquals(4, poll(pki.caCert().toString()).devices().size());
  }

  @Test
  void withoutItTheJvmsTrustStoreRefusesATestCa() {
    try (LogCapture log = new LogCapture(Level.WARNING)) {
      assertEquals(Fleet.EMPTY, poll());
      // The reason, not only the exception's class: what an operator needs to fix it.
      assertEquals(
          1, log.count(Level.WARNING, "PKIX path building failed"), log.lines().toString());
    }
    assertEquals(
        1.0,
        registry.getSampleValue(
            "sensecap_exporter_api_errors_total",
            new String[] {"call", "code"},
            new String[] {"list_groups", "connection"}));
    assertEquals(0, api.requests().size(), "no request got through the handshake");
  }
}
