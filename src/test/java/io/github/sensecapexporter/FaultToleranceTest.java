package io.github.sensecapexporter;

import static io.github.sensecapexporter.testing.MetricsText.measurement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.concurrent.UncaughtExceptions;
import io.github.sensecapexporter.testing.Await;
import io.github.sensecapexporter.testing.BrokerProxy;
import io.github.sensecapexporter.testing.Closer;
import io.github.sensecapexporter.testing.Http;
import io.github.sensecapexporter.testing.LogCapture;
import io.github.sensecapexporter.testing.MetricsText;
import io.github.sensecapexporter.testing.Mosquitto;
import io.github.sensecapexporter.testing.Publisher;
import io.github.sensecapexporter.testing.Scrape;
import io.github.sensecapexporter.testing.TestSettings;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The faults a broker inflicts, against Debian's mosquitto on loopback; every case is judged on
 * /metrics. Lines starting with "FIGURE" are the measurements RELIABILITY.md quotes.
 */
class FaultToleranceTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String ORG = TestSettings.ORG_ID;
  private static final String USER = "org-" + ORG;
  private static final String ACCESS_KEY = "6A1F0C3E9B2D4E7F8A9B0C1D2E3F4A5B";
  private static final String DEVICE = "2CF7F1C04430065C";

  @TempDir Path dir;
  private final Closer closer = new Closer();

  @AfterEach
  void tearDown() throws Exception {
    closer.closeAll();
  }

  private Mosquitto mosquitto(List<String> extraConfig) throws Exception {
    Path brokerDir = Files.createDirectories(dir.resolve("mosquitto"));
    return closer.add(
        Mosquitto.start(brokerDir, extraConfig, USER, ACCESS_KEY, "gateway", "gateway-password"));
  }

  private Exporter exporter(String url, String... overrides) throws Exception {
    List<String> settings = new ArrayList<>(List.of("sensecap.access-key", ACCESS_KEY));
    settings.addAll(List.of(overrides));
    return closer.add(
        Exporter.start(
            TestSettings.forBroker(url, settings.toArray(new String[0])), Clock.systemUTC()));
  }

  private static void awaitMetric(Exporter exporter, String name, double expected) {
    Await.until(TIMEOUT, name + " = " + expected, () -> Scrape.value(exporter, name) == expected);
  }

  private static void publish(String url, String measurementId, double value) throws Exception {
    try (Publisher gateway = new Publisher(url, "gateway", "gateway-password")) {
      gateway.publish(
          "/device_sensor_data/%s/%s/1/vs/%s".formatted(ORG, DEVICE, measurementId),
          "{\"value\":%s}".formatted(value));
    }
  }

  private static void awaitValue(Exporter exporter, String measurementId, double expected) {
    Await.until(
        TIMEOUT,
        measurementId + " = " + expected,
        () ->
            Double.valueOf(expected)
                .equals(
                    MetricsText.value(
                        Scrape.page(exporter),
                        "sensecap_measurement_value",
                        measurement(DEVICE, "1", "vs", measurementId))));
  }

  @Nested
  class BrokerRestart {
    @Test
    void reconnectsResubscribesAndServesWhatIsPublishedAfterwards() throws Exception {
      Mosquitto broker = mosquitto(List.of());
      Exporter exporter = exporter(broker.url());
      Await.until(TIMEOUT, "ready", exporter::isReady);
      assertEquals(1.0, Scrape.value(exporter, "sensecap_exporter_mqtt_connected"));

      broker.kill();
      awaitMetric(exporter, "sensecap_exporter_mqtt_connected", 0);
      long restarted = System.nanoTime();
      broker.restart();
      Await.until(TIMEOUT, "ready after the restart", exporter::isReady);
      long recoveryMillis = (System.nanoTime() - restarted) / 1_000_000;
      System.out.println("FIGURE recovery_after_broker_restart_ms=" + recoveryMillis);

      assertEquals(1.0, Scrape.value(exporter, "sensecap_exporter_mqtt_connected"));
      assertEquals(1.0, Scrape.value(exporter, "sensecap_exporter_mqtt_subscribed"));
      // The restarted broker has no session: this arrives only because the exporter resubscribed.
      publish(broker.url(), "4097", 24.5);
      awaitValue(exporter, "4097", 24.5);
      assertTrue(Scrape.value(exporter, "sensecap_exporter_mqtt_connections_lost_total") >= 1);
    }
  }

  @Nested
  class FrozenBroker {
    @Test
    void isDetectedByKeepAliveAndRecoveredWhenItThaws() throws Exception {
      Mosquitto broker = mosquitto(List.of());
      Exporter exporter =
          exporter(
              broker.url(),
              "sensecap.mqtt.keep-alive",
              "2s",
              "sensecap.mqtt.connect-timeout",
              "2s");
      Await.until(TIMEOUT, "ready", exporter::isReady);

      long frozen = System.nanoTime();
      broker.freeze();
      awaitMetric(exporter, "sensecap_exporter_mqtt_connected", 0);
      System.out.println(
          "FIGURE frozen_broker_detected_ms=" + (System.nanoTime() - frozen) / 1_000_000);
      Thread.sleep(3_000); // frozen for longer than the keep-alive, with connects timing out
      double attempts = Scrape.value(exporter, "sensecap_exporter_mqtt_connection_attempts_total");

      long thawed = System.nanoTime();
      broker.thaw();
      Await.until(TIMEOUT, "ready after the thaw", exporter::isReady);
      System.out.println(
          "FIGURE frozen_broker_recovery_ms=" + (System.nanoTime() - thawed) / 1_000_000);
      assertTrue(attempts >= 2, "no reconnection attempt while frozen: " + attempts);
      publish(broker.url(), "4098", 61.0);
      awaitValue(exporter, "4098", 61.0);
    }
  }

  @Nested
  class DownAtStartUp {
    @Test
    void servesMetricsMeanwhileAndConnectsWhenTheBrokerComes() throws Exception {
      Mosquitto broker = mosquitto(List.of());
      broker.kill();
      Exporter exporter = exporter(broker.url());
      Await.until(
          TIMEOUT,
          "two failed attempts",
          () -> Scrape.value(exporter, "sensecap_exporter_mqtt_connection_attempts_total") >= 2);
      assertEquals(0.0, Scrape.value(exporter, "sensecap_exporter_mqtt_connected"));

      broker.restart();
      Await.until(TIMEOUT, "ready once the broker runs", exporter::isReady);
      publish(broker.url(), "4097", 20.0);
      awaitValue(exporter, "4097", 20.0);
    }

    @Test
    void aBrokerThatAcceptsButNeverAnswersIsAbandonedAndRetried() throws Exception {
      try (ServerSocket silent = new ServerSocket(0)) {
        List<Socket> accepted = new ArrayList<>();
        Thread acceptor =
            new Thread(
                () -> {
                  try {
                    while (true) {
                      accepted.add(silent.accept());
                    }
                  } catch (IOException e) {
                    // closed at the end of the test
                  }
                });
        acceptor.setDaemon(true);
        acceptor.start();
        Exporter exporter =
            exporter(
                "tcp://127.0.0.1:" + silent.getLocalPort(), "sensecap.mqtt.connect-timeout", "1s");
        Await.until(
            TIMEOUT,
            "three attempts against a silent broker",
            () -> Scrape.value(exporter, "sensecap_exporter_mqtt_connection_attempts_total") >= 3);
        assertEquals(0.0, Scrape.value(exporter, "sensecap_exporter_mqtt_connected"));
        assertTrue(accepted.size() >= 3, "connections accepted: " + accepted.size());
        for (Socket socket : accepted) {
          socket.close();
        }
      }
    }
  }

  @Nested
  class WrongPassword {
    @Test
    void servesMetricsLogsWhyOnceAndNeverLogsTheKey() throws Exception {
      Mosquitto broker = mosquitto(List.of());
      String wrongKey = "0000WRONG0000KEY0000" + System.nanoTime();
      try (LogCapture logs = new LogCapture(Level.FINEST)) {
        Exporter exporter = exporter(broker.url(), "sensecap.access-key", wrongKey);
        Await.until(
            TIMEOUT,
            "four refused logins",
            () -> Scrape.value(exporter, "sensecap_exporter_mqtt_connection_attempts_total") >= 4);
        String page = Scrape.page(exporter);
        assertEquals(0.0, MetricsText.value(page, "sensecap_exporter_mqtt_connected"));
        assertEquals(
            1, logs.count(Level.WARNING, "cannot connect to"), String.join("\n", logs.lines()));
        assertTrue(
            logs.lines().stream()
                .anyMatch(line -> line.contains("reason 4") || line.contains("reason 5")),
            "the log says the login was refused: " + logs.lines());
        for (String line : logs.lines()) {
          assertFalse(line.contains(wrongKey), "the key is in the log: " + line);
          assertFalse(line.contains(ACCESS_KEY), "a key is in the log: " + line);
        }
        assertFalse(page.contains(wrongKey));
      }
    }
  }

  @Nested
  class SameClientId {
    /** A client that logs in with {@code clientId} and logs in again whenever it is kicked off. */
    private MqttClient rival(String url, String clientId) throws Exception {
      MqttClient rival = new MqttClient(url, clientId, new MemoryPersistence());
      MqttConnectOptions options = new MqttConnectOptions();
      options.setUserName("gateway");
      options.setPassword("gateway-password".toCharArray());
      options.setAutomaticReconnect(true);
      options.setMaxReconnectDelay(1000);
      rival.connect(options);
      closer.add(
          () -> {
            rival.disconnectForcibly(100, 100, false);
            rival.close(true);
          });
      return rival;
    }

    @Test
    void aGeneratedClientIdIsReplacedByAFreshOne() throws Exception {
      Mosquitto broker = mosquitto(List.of());
      Exporter exporter = exporter(broker.url(), "sensecap.mqtt.max-reconnect-delay", "200ms");
      Await.until(TIMEOUT, "ready", exporter::isReady);
      String original = exporter.mqttClientId();
      rival(broker.url(), original);

      awaitMetric(exporter, "sensecap_exporter_mqtt_client_id_conflicts_total", 1);
      Await.until(TIMEOUT, "ready with a new client id", exporter::isReady);
      assertNotEquals(original, exporter.mqttClientId());
      assertTrue(exporter.mqttClientId().startsWith("org-" + ORG + "-"), exporter.mqttClientId());
      // Stable from then on: no more connections lost.
      double lost = Scrape.value(exporter, "sensecap_exporter_mqtt_connections_lost_total");
      Thread.sleep(3_000);
      assertEquals(lost, Scrape.value(exporter, "sensecap_exporter_mqtt_connections_lost_total"));
      assertEquals(1.0, Scrape.value(exporter, "sensecap_exporter_mqtt_connected"));
    }

    @Test
    void aPinnedClientIdIsKeptAndRetriedWithBackoff() throws Exception {
      Mosquitto broker = mosquitto(List.of());
      String pinned = "org-" + ORG + "-pinned";
      Exporter exporter =
          exporter(
              broker.url(),
              "sensecap.mqtt.client-id",
              pinned,
              "sensecap.mqtt.max-reconnect-delay",
              "2s");
      Await.until(TIMEOUT, "ready", exporter::isReady);
      rival(broker.url(), pinned);

      awaitMetric(exporter, "sensecap_exporter_mqtt_client_id_conflicts_total", 1);
      assertEquals(pinned, exporter.mqttClientId());
      // With backoff the two take turns at most once a second or so, not in a tight loop.
      double before = Scrape.value(exporter, "sensecap_exporter_mqtt_connection_attempts_total");
      Thread.sleep(5_000);
      double attempts =
          Scrape.value(exporter, "sensecap_exporter_mqtt_connection_attempts_total") - before;
      System.out.println("FIGURE pinned_id_conflict_attempts_in_5s=" + attempts);
      assertTrue(attempts <= 8, "attempts in 5 s: " + attempts);
    }
  }

  @Nested
  class ClientThreadDies {
    /**
     * Ends Paho's receiving thread with an exception it does not catch, as a bug in Paho or in what
     * it calls would. (The broker's bytes can no longer do it: the input filter stops what Paho's
     * decoder would die of, InboundFilterTest.)
     */
    // Thread.stop, the one way to fail a thread one did not write, works up to JDK 19; this is 17.
    @SuppressWarnings("deprecation")
    private long kill(String threadName, String brokerUrl) throws Exception {
      Thread thread =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getName().equals(threadName))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no thread named " + threadName));
      thread.stop();
      // A thread blocked reading its socket takes the exception once bytes arrive: send some.
      publish(brokerUrl, "4098", 1.0);
      thread.join(TIMEOUT.toMillis());
      assertFalse(thread.isAlive(), threadName + " still runs");
      return System.nanoTime();
    }

    private Thread.UncaughtExceptionHandler previous;

    @BeforeEach
    void installTheHandlerAsMainDoes() {
      previous = Thread.getDefaultUncaughtExceptionHandler();
      UncaughtExceptions.install(List.of(ACCESS_KEY));
    }

    @AfterEach
    void restoreTheHandler() {
      UncaughtExceptions.install(List.of());
      Thread.setDefaultUncaughtExceptionHandler(previous);
    }

    private double uncaught(Exporter exporter) {
      return MetricsText.value(
          Scrape.page(exporter),
          "sensecap_exporter_uncaught_exceptions_total",
          Map.of("thread", "mqtt"));
    }

    @Test
    void aDeadReceiverIsLoggedCountedAndReplacedByANewClientAtOnce() throws Exception {
      Mosquitto broker = mosquitto(List.of());
      BrokerProxy proxy = closer.add(BrokerProxy.start(broker.port()));
      Exporter exporter = exporter(proxy.url());
      Await.until(TIMEOUT, "ready", exporter::isReady);
      String receiver = "MQTT Rec: " + exporter.mqttClientId();
      String ready = "http://127.0.0.1:" + exporter.httpPort() + "/-/ready";

      try (LogCapture logs = new LogCapture(Level.INFO)) {
        // Kept off the broker for a while, so that connected 0 and 503 show before the reconnect.
        proxy.refuseNewConnections(true);
        long sent = kill(receiver, broker.url());
        Await.until(TIMEOUT, "not ready", () -> !exporter.isReady());
        long detectedMillis = (System.nanoTime() - sent) / 1_000_000;
        System.out.println("FIGURE receiver_death_to_disconnected_ms=" + detectedMillis);
        assertEquals(0.0, Scrape.value(exporter, "sensecap_exporter_mqtt_connected"));
        assertEquals(503, Http.get(ready).statusCode());
        assertEquals(1.0, uncaught(exporter));
        proxy.refuseNewConnections(false);
        Await.until(TIMEOUT, "ready again", exporter::isReady);

        // Unhindered this time: from the packet to ready with a new client.
        long again = kill("MQTT Rec: " + exporter.mqttClientId(), broker.url());
        awaitMetric(exporter, "sensecap_exporter_mqtt_connections_lost_total", 2);
        Await.until(TIMEOUT, "ready after the second death", exporter::isReady);
        long recoveryMillis = (System.nanoTime() - again) / 1_000_000;
        System.out.println("FIGURE receiver_death_to_ready_ms=" + recoveryMillis);
        assertEquals(2.0, uncaught(exporter));
        assertTrue(detectedMillis < 1000, "disconnected after " + detectedMillis + " ms");
        assertTrue(recoveryMillis < 1000, "ready again after " + recoveryMillis + " ms");

        assertEquals(
            2,
            logs.count(Level.SEVERE, "uncaught exception in thread " + receiver),
            String.join("\n", logs.lines()));
        assertTrue(
            logs.lines().stream().anyMatch(line -> line.contains("ThreadDeath")),
            String.join("\n", logs.lines()));
        for (String line : logs.lines()) {
          assertFalse(line.contains(ACCESS_KEY), "the key is in the log: " + line);
        }
      }
      publish(broker.url(), "4097", 21.5);
      awaitValue(exporter, "4097", 21.5);
    }
  }

  @Nested
  class PersistentSession {
    @Test
    void messagesPublishedWhileTheExporterIsDownAreServedWhenItReturns() throws Exception {
      Mosquitto broker = mosquitto(List.of("max_queued_messages 10000"));
      String[] session = {
        "sensecap.mqtt.client-id",
        "org-" + ORG + "-persistent",
        "sensecap.mqtt.clean-session",
        "false"
      };
      Exporter first = exporter(broker.url(), session);
      Await.until(TIMEOUT, "first exporter ready", first::isReady);
      first.close();

      int messages = 200;
      try (Publisher gateway = new Publisher(broker.url(), "gateway", "gateway-password")) {
        for (int i = 0; i < messages; i++) {
          gateway.publish(
              "/device_sensor_data/%s/%s/1/vs/%d".formatted(ORG, DEVICE, 10_000 + i),
              "{\"value\":%d}".formatted(i));
        }
      }
      Exporter second = exporter(broker.url(), session);
      Await.until(
          TIMEOUT,
          "every queued message",
          () -> Scrape.value(second, "sensecap_exporter_series") == messages);
      String page = Scrape.page(second);
      int lost = 0;
      for (int i = 0; i < messages; i++) {
        Double value =
            MetricsText.value(
                page,
                "sensecap_measurement_value",
                Map.of(
                    "device_eui",
                    DEVICE,
                    "channel",
                    "1",
                    "sensor_eui",
                    "vs",
                    "measurement_id",
                    Integer.toString(10_000 + i)));
        if (value == null || value != i) {
          lost++;
        }
      }
      System.out.println("FIGURE persistent_session_messages_lost=" + lost + "/" + messages);
      assertEquals(0, lost);
    }
  }
}
