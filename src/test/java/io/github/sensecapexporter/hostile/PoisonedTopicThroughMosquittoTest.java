package io.github.sensecapexporter.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.sensecapexporter.Exporter;
import io.github.sensecapexporter.testing.Await;
import io.github.sensecapexporter.testing.Closer;
import io.github.sensecapexporter.testing.Http;
import io.github.sensecapexporter.testing.MetricsText;
import io.github.sensecapexporter.testing.Mosquitto;
import io.github.sensecapexporter.testing.RawMqttServer;
import io.github.sensecapexporter.testing.Scrape;
import io.github.sensecapexporter.testing.SystemTools;
import io.github.sensecapexporter.testing.TestPki;
import io.github.sensecapexporter.testing.TestSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Through Debian's mosquitto, with a persistent session and a pinned client id: a message whose
 * topic holds U+FF0C (valid UTF-8 that mosquitto passes on and Paho refuses), then a good one. The
 * good one is served within a second and the first counted as invalid_topic, both while the
 * exporter runs and after a restart that finds both queued at the broker; neither comes back on the
 * restart after that.
 */
class PoisonedTopicThroughMosquittoTest {
  private static final String ORG = TestSettings.ORG_ID;
  private static final String USER = "org-" + ORG;
  private static final String ACCESS_KEY = "6A1F0C3E9B2D4E7F8A9B0C1D2E3F4A5B";
  private static final String PINNED = "org-" + ORG + "-poisoned";
  private static final String DEVICE = "2CF7F1C0000000FF";
  private static final byte[] POISONED_TOPIC =
      ("/device_sensor_data/" + ORG + "/2CF7F1C0\uFF0C000000EE/1/vs/4098")
          .getBytes(StandardCharsets.UTF_8);
  private static final byte[] GOOD_TOPIC =
      ("/device_sensor_data/" + ORG + "/" + DEVICE + "/1/vs/4097")
          .getBytes(StandardCharsets.US_ASCII);
  private static final Map<String, String> GOOD_SERIES =
      MetricsText.measurement(DEVICE, "1", "vs", "4097");
  private static final Duration PROMPTLY = Duration.ofSeconds(1);
  private static final Duration START = Duration.ofSeconds(10);

  @TempDir Path dir;
  private final Closer closer = new Closer();
  private Mosquitto broker;

  @AfterEach
  void tearDown() throws Exception {
    closer.closeAll();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tcp", "ws", "ssl"})
  void aPoisonedTopicIsCountedAndTheNextMessageServedLiveAndFromTheQueue(String transport)
      throws Exception {
    List<String> settings = new ArrayList<>(List.of("sensecap.access-key", ACCESS_KEY));
    settings.addAll(
        List.of("sensecap.mqtt.client-id", PINNED, "sensecap.mqtt.clean-session", "false"));
    String url = startBroker(transport, settings);
    String[] overrides = settings.toArray(new String[0]);

    // Live: the exporter is connected when both arrive.
    try (Exporter first = start(url, overrides)) {
      publishPoisonedThenGood(21.5);
      awaitGood(first, 21.5);
      assertAccounted(first, 2, 1, 1);
      assertStayedConnected(first);
    }
    awaitSessionClosed(1);

    // Queued: both wait at the broker for the pinned client id while the exporter is down.
    publishPoisonedThenGood(22.5);
    try (Exporter second = start(url, overrides)) {
      awaitGood(second, 22.5);
      assertAccounted(second, 2, 1, 1);
      assertStayedConnected(second);
    }
    awaitSessionClosed(2);

    // Both were acknowledged: the next start finds nothing redelivered before a new reading.
    try (Exporter third = start(url, overrides)) {
      publishGood(23.5);
      awaitGood(third, 23.5);
      assertAccounted(third, 1, 1, 0);
      assertStayedConnected(third);
    }
  }

  private String startBroker(String transport, List<String> settings) throws Exception {
    Path brokerDir = Files.createDirectories(dir.resolve("mosquitto"));
    String[] users = {USER, ACCESS_KEY, "gateway", "gateway-password"};
    switch (transport) {
      case "tcp" -> {
        broker = closer.add(Mosquitto.start(brokerDir, users));
        return broker.url();
      }
      case "ws" -> {
        int wsPort = SystemTools.freePort();
        broker =
            closer.add(
                Mosquitto.start(
                    brokerDir,
                    List.of("listener " + wsPort + " 127.0.0.1", "protocol websockets"),
                    users));
        Await.until(START, "mosquitto's websockets listener", () -> accepts(wsPort));
        return "ws://127.0.0.1:" + wsPort + "/mqtt";
      }
      case "ssl" -> {
        TestPki pki = TestPki.create(dir.resolve("pki"), "mosquitto");
        TestPki.Pair server = pki.server("mosquitto", "IP:127.0.0.1");
        broker =
            closer.add(
                Mosquitto.startTls(
                    brokerDir,
                    new Mosquitto.Tls(pki.caCert(), server.cert(), server.key(), false),
                    users));
        settings.addAll(List.of("sensecap.mqtt.tls.ca-file", pki.caCert().toString()));
        return broker.sslUrl();
      }
      default -> throw new IllegalArgumentException(transport);
    }
  }

  private Exporter start(String url, String... overrides) throws Exception {
    Exporter exporter = Exporter.start(TestSettings.forBroker(url, overrides), Clock.systemUTC());
    try {
      Await.until(START, "exporter ready on " + url, exporter::isReady);
      assertEquals(PINNED, exporter.mqttClientId());
    } catch (Throwable e) {
      exporter.close();
      throw e;
    }
    return exporter;
  }

  private static void awaitGood(Exporter exporter, double value) {
    Await.until(
        PROMPTLY,
        "the good reading " + value + " on /metrics",
        () ->
            Double.valueOf(value)
                .equals(
                    MetricsText.value(
                        Scrape.page(exporter), "sensecap_measurement_value", GOOD_SERIES)));
  }

  private static void assertAccounted(
      Exporter exporter, double received, double accepted, double invalidTopic) {
    String page = Scrape.page(exporter);
    assertEquals(received, MetricsText.value(page, "sensecap_exporter_messages_received_total"));
    assertEquals(accepted, MetricsText.value(page, "sensecap_exporter_messages_accepted_total"));
    double dropped = 0;
    for (String line : page.split("\n")) {
      if (line.startsWith("sensecap_exporter_messages_dropped_total{")) {
        dropped += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    assertEquals(received, accepted + dropped, "received = accepted + dropped");
    assertEquals(
        Double.valueOf(invalidTopic),
        MetricsText.value(
            page, "sensecap_exporter_messages_dropped_total", Map.of("reason", "invalid_topic")));
    assertEquals(1.0, MetricsText.value(page, "sensecap_exporter_series"));
  }

  private static void assertStayedConnected(Exporter exporter) {
    String page = Scrape.page(exporter);
    assertEquals(1.0, MetricsText.value(page, "sensecap_exporter_mqtt_connected"));
    assertEquals(0.0, MetricsText.value(page, "sensecap_exporter_mqtt_connections_lost_total"));
    assertEquals(
        200,
        Http.get("http://127.0.0.1:" + exporter.httpPort() + "/-/ready").statusCode(),
        "/-/ready");
  }

  /** Waits until mosquitto has seen the exporter's session end {@code times} times in all. */
  private void awaitSessionClosed(int times) {
    String line = "Client " + PINNED + " disconnected";
    Await.until(
        START,
        "mosquitto to close the session of " + PINNED,
        () -> broker.log().split(line, -1).length - 1 >= times);
  }

  private void publishPoisonedThenGood(double goodValue) throws IOException {
    publish(new byte[][] {POISONED_TOPIC, GOOD_TOPIC}, new byte[][] {body(99.0), body(goodValue)});
  }

  private void publishGood(double value) throws IOException {
    publish(new byte[][] {GOOD_TOPIC}, new byte[][] {body(value)});
  }

  /**
   * Publishes at QoS 1 over a raw socket, each message acknowledged before the next: Paho refuses
   * to publish the poisoned topic, and mosquitto_pub's arguments would go through the locale.
   */
  private void publish(byte[][] topics, byte[][] bodies) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", broker.port())) {
      socket.setSoTimeout(5_000);
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      out.write(RawMqttServer.connectFrame("raw-gateway", true, 30, "gateway", "gateway-password"));
      RawMqttServer.Frame connack = RawMqttServer.readFrame(in);
      assertEquals(2, connack.type(), "CONNACK");
      assertEquals(0, connack.body()[1], "CONNACK return code");
      for (int i = 0; i < topics.length; i++) {
        int id = i + 1;
        out.write(RawMqttServer.publishFrame(topics[i], bodies[i], 1, id));
        RawMqttServer.Frame puback = RawMqttServer.readFrame(in);
        assertEquals(4, puback.type(), "PUBACK from mosquitto");
        assertEquals(id, puback.packetId());
      }
      out.write(new byte[] {(byte) 0xE0, 0x00});
      out.flush();
    }
  }

  private static byte[] body(double value) {
    return ("{\"value\":" + value + ",\"timestamp\":" + System.currentTimeMillis() + "}")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return socket.isConnected();
    } catch (IOException e) {
      return false;
    }
  }
}
