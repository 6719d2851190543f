package io.github.sensecapexporter;

import static io.github.sensecapexporter.testing.MetricsText.measurement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.testing.Await;
import io.github.sensecapexporter.testing.Closer;
import io.github.sensecapexporter.testing.LogCapture;
import io.github.sensecapexporter.testing.MetricsText;
import io.github.sensecapexporter.testing.Mosquitto;
import io.github.sensecapexporter.testing.Publisher;
import io.github.sensecapexporter.testing.Scrape;
import io.github.sensecapexporter.testing.TestPki;
import io.github.sensecapexporter.testing.TestSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter against Debian's mosquitto over TLS on loopback, with a CA and certificates made by
 * openssl for each test; every case is judged on /metrics.
 */
class BrokerTlsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String ORG = TestSettings.ORG_ID;
  private static final String USER = "org-" + ORG;
  private static final String ACCESS_KEY = "6A1F0C3E9B2D4E7F8A9B0C1D2E3F4A5B";
  private static final String DEVICE = "2CF7F1C04430065C";
  private static final String CONNECTED = "sensecap_exporter_mqtt_connected";
  private static final String ATTEMPTS = "sensecap_exporter_mqtt_connection_attempts_total";

  @TempDir Path dir;
  private final Closer closer = new Closer();
  private TestPki pki;

  @BeforeEach
  void makeCa() throws Exception {
    pki = TestPki.create(dir.resolve("pki"), "broker");
  }

  @AfterEach
  void tearDown() throws Exception {
    closer.closeAll();
  }

  /** A broker whose TLS certificate has the subject alternative name {@code san}. */
  private Mosquitto broker(String san, boolean requireCertificate) throws Exception {
    TestPki.Pair server = pki.server("server", san);
    Path brokerDir = Files.createDirectories(dir.resolve("mosquitto"));
    return closer.add(
        Mosquitto.startTls(
            brokerDir,
            new Mosquitto.Tls(pki.caCert(), server.cert(), server.key(), requireCertificate),
            USER,
            ACCESS_KEY,
            "gateway",
            "gateway-password"));
  }

  private Exporter exporter(String url, String... overrides) throws Exception {
    List<String> settings = new ArrayList<>(List.of("sensecap.access-key", ACCESS_KEY));
    settings.addAll(List.of(overrides));
    return closer.add(
        Exporter.start(
            TestSettings.forBroker(url, settings.toArray(new String[0])), Clock.systemUTC()));
  }

  /** Publishes on the broker's plain listener, as a device gateway would. */
  private static void publishAndAwait(Mosquitto broker, Exporter exporter, double value)
      throws Exception {
    try (Publisher gateway = new Publisher(broker.url(), "gateway", "gateway-password")) {
      gateway.publish(
          "/device_sensor_data/%s/%s/1/vs/4097".formatted(ORG, DEVICE),
          "{\"value\":%s}".formatted(value));
    }
    Await.until(
        TIMEOUT,
        "4097 = " + value,
        () ->
            Double.valueOf(value)
                .equals(
                    MetricsText.value(
                        Scrape.page(exporter),
                        "sensecap_measurement_value",
                        measurement(DEVICE, "1", "vs", "4097"))));
  }

  /**
   * The exporter keeps failing: several attempts, never connected, /metrics served all along, and
   * the reason (the TLS handshake's) in the log.
   */
  private static void assertRefused(Exporter exporter, LogCapture logs, String logFragment) {
    Await.until(TIMEOUT, "three failed attempts", () -> Scrape.value(exporter, ATTEMPTS) >= 3);
    String page = Scrape.page(exporter);
    assertEquals(0.0, MetricsText.value(page, CONNECTED), page);
    assertFalse(exporter.isReady());
    assertEquals(
        0.0,
        Scrape.value(exporter, "sensecap_exporter_mqtt_connections_lost_total"),
        "a refused handshake must never count as a connection");
    assertTrue(
        logs.lines().stream().anyMatch(line -> line.contains(logFragment)),
        () -> "no log line mentions " + logFragment + ":\n" + String.join("\n", logs.lines()));
  }

  @Test
  void connectsWithTheCaFileAndServesWhatIsPublished() throws Exception {
    Mosquitto broker = broker("IP:127.0.0.1", false);
    Exporter exporter =
        exporter(broker.sslUrl(), "sensecap.mqtt.tls.ca-file", pki.caCert().toString());
    Await.until(TIMEOUT, "ready over TLS", exporter::isReady);
    assertEquals(1.0, Scrape.value(exporter, CONNECTED));
    publishAndAwait(broker, exporter, 21.5);
  }

  @Test
  void refusesABrokerTheJvmTrustStoreDoesNotTrust() throws Exception {
    Mosquitto broker = broker("IP:127.0.0.1", false);
    try (LogCapture logs = new LogCapture(Level.FINE)) {
      Exporter exporter = exporter(broker.sslUrl());
      assertRefused(exporter, logs, "PKIX path building failed");
    }
  }

  @Test
  void refusesACertificateForAnotherHost() throws Exception {
    Mosquitto broker = broker("DNS:elsewhere.invalid", false);
    try (LogCapture logs = new LogCapture(Level.FINE)) {
      Exporter exporter =
          exporter(broker.sslUrl(), "sensecap.mqtt.tls.ca-file", pki.caCert().toString());
      assertRefused(exporter, logs, "No subject alternative names matching IP address 127.0.0.1");
    }
  }

  @Test
  void withoutAClientCertificateABrokerRequiringOneRefuses() throws Exception {
    Mosquitto broker = broker("IP:127.0.0.1", true);
    try (LogCapture logs = new LogCapture(Level.FINE)) {
      Exporter exporter =
          exporter(broker.sslUrl(), "sensecap.mqtt.tls.ca-file", pki.caCert().toString());
      assertRefused(exporter, logs, "SSLHandshakeException");
    }
  }

  @Test
  void withAClientCertificateABrokerRequiringOneAccepts() throws Exception {
    Mosquitto broker = broker("IP:127.0.0.1", true);
    TestPki.Pair client = pki.client("exporter", "EC");
    Exporter exporter =
        exporter(
            broker.sslUrl(),
            "sensecap.mqtt.tls.ca-file",
            pki.caCert().toString(),
            "sensecap.mqtt.tls.cert-file",
            client.cert().toString(),
            "sensecap.mqtt.tls.key-file",
            client.key().toString());
    Await.until(TIMEOUT, "ready with a client certificate", exporter::isReady);
    publishAndAwait(broker, exporter, 22.25);
  }

  @Test
  void anRsaClientCertificateWorksToo() throws Exception {
    Mosquitto broker = broker("IP:127.0.0.1", true);
    TestPki.Pair client = pki.client("exporter-rsa", "RSA");
    Exporter exporter =
        exporter(
            broker.sslUrl(),
            "sensecap.mqtt.tls.ca-file",
            pki.caCert().toString(),
            "sensecap.mqtt.tls.cert-file",
            client.cert().toString(),
            "sensecap.mqtt.tls.key-file",
            client.key().toString());
    Await.until(TIMEOUT, "ready with an RSA client certificate", exporter::isReady);
    assertEquals(1.0, Scrape.value(exporter, CONNECTED));
  }

  @Test
  void aClientCertificateFromAnotherCaIsRefused() throws Exception {
    Mosquitto broker = broker("IP:127.0.0.1", true);
    TestPki.Pair stranger = TestPki.create(dir.resolve("other-pki"), "other").client("x", "EC");
    try (LogCapture logs = new LogCapture(Level.FINE)) {
      Exporter exporter =
          exporter(
              broker.sslUrl(),
              "sensecap.mqtt.tls.ca-file",
              pki.caCert().toString(),
              "sensecap.mqtt.tls.cert-file",
              stranger.cert().toString(),
              "sensecap.mqtt.tls.key-file",
              stranger.key().toString());
      assertRefused(exporter, logs, "SSLHandshakeException");
    }
  }
}
