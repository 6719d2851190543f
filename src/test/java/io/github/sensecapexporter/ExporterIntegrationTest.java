package io.github.sensecapexporter;

import static io.github.sensecapexporter.testing.MetricsText.measurement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.config.Settings;
import io.github.sensecapexporter.demo.DemoBroker;
import io.github.sensecapexporter.testing.Await;
import io.github.sensecapexporter.testing.Http;
import io.github.sensecapexporter.testing.MetricsText;
import io.github.sensecapexporter.testing.Publisher;
import io.github.sensecapexporter.testing.TestSettings;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** From a publish through a real embedded broker to the scraped /metrics text. */
class ExporterIntegrationTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final String ORG = TestSettings.ORG_ID;
  private static final String DEVICE = "2CF7F1C04430065C";

  private DemoBroker broker;
  private Exporter exporter;

  @AfterEach
  void tearDown() {
    if (exporter != null) {
      exporter.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  private void startExporter(String url, String... overrides) throws Exception {
    Settings settings = TestSettings.forBroker(url, overrides);
    exporter = Exporter.start(settings, Clock.systemUTC());
  }

  private String url(String path) {
    return "http://127.0.0.1:" + exporter.httpPort() + path;
  }

  private String metrics() {
    return Http.get(url("/metrics")).body();
  }

  private void awaitValue(Map<String, String> labels, double expected) {
    Await.until(
        TIMEOUT,
        "sensecap_measurement_value" + labels + " = " + expected,
        () ->
            Double.valueOf(expected)
                .equals(MetricsText.value(metrics(), "sensecap_measurement_value", labels)));
  }

  private void awaitConnected(double expected) {
    Await.until(
        TIMEOUT,
        "sensecap_exporter_mqtt_connected = " + expected,
        () ->
            Double.valueOf(expected)
                .equals(MetricsText.value(metrics(), "sensecap_exporter_mqtt_connected")));
  }

  private static String sensorTopic(String measurementId) {
    return "/device_sensor_data/" + ORG + "/" + DEVICE + "/1/vs/" + measurementId;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Nested
  class OverTcp {
    @Test
    void servesEveryPublishedSeriesWithItsLabels() throws Exception {
      broker = DemoBroker.start("127.0.0.1", 0, 0);
      startExporter(broker.tcpUrl());
      Await.until(TIMEOUT, "ready", exporter::isReady);
      try (Publisher publisher = new Publisher(broker.tcpUrl())) {
        publisher.publish(sensorTopic("4097"), "{\"value\":23.5,\"timestamp\":1759186369000}");
        publisher.publish(
            "/device_sensor_data/" + ORG + "/2CF7F12212100029/32/2CF7F13003900007/4111",
            "{\"value\":\"7.19\",\"timestamp\":\"1573540525315\"}");
        publisher.publish(
            "/device_status_event/" + ORG + "/" + DEVICE + "/vs/3000",
            "{\"value\":87,\"timestamp\":1759186369000}");
      }
      awaitValue(measurement(DEVICE, "1", "vs", "4097"), 23.5);
      awaitValue(measurement("2CF7F12212100029", "32", "2CF7F13003900007", "4111"), 7.19);
      String text = metrics();
      assertEquals(
          1_759_186_369.0,
          MetricsText.value(
              text,
              "sensecap_device_last_measurement_timestamp_seconds",
              Map.of("device_eui", DEVICE)));
      assertEquals(
          87.0,
          MetricsText.value(
              text,
              "sensecap_device_status_value",
              Map.of("device_eui", DEVICE, "status_id", "3000")));
      assertEquals(
          1.0,
          MetricsText.value(
              text,
              "sensecap_measurement_info",
              Map.of("measurement_id", "4097", "name", "Air Temperature", "unit", "℃")));
      assertEquals(3.0, MetricsText.value(text, "sensecap_exporter_series"));
    }
  }

  @Nested
  class Exposition {
    @Test
    void escapesQuotesAndBackslashesArrivingInTopics() throws Exception {
      broker = DemoBroker.start("127.0.0.1", 0, 0);
      startExporter(broker.tcpUrl());
      Await.until(TIMEOUT, "ready", exporter::isReady);
      // Brokers refuse control characters in topics; HttpEndpointTest covers newlines.
      String hostile = "a\"b\\c";
      try (Publisher publisher = new Publisher(broker.tcpUrl())) {
        publisher.publish(
            "/device_sensor_data/" + ORG + "/" + hostile + "/1/vs/4097", "{\"value\":1.5}");
      }
      awaitValue(measurement(hostile, "1", "vs", "4097"), 1.5);
      assertTrue(metrics().contains("device_eui=\"a\\\"b\\\\c\""), metrics());
    }
  }

  @Nested
  class OverWebSocket {
    @Test
    void servesReadingsReceivedOverWebSocket() throws Exception {
      broker = DemoBroker.start("127.0.0.1", 0, 0);
      startExporter(broker.websocketUrl());
      Await.until(TIMEOUT, "ready", exporter::isReady);
      try (Publisher publisher = new Publisher(broker.tcpUrl())) {
        publisher.publish(sensorTopic("4098"), "{\"value\":61.2,\"timestamp\":1759186369000}");
      }
      awaitValue(measurement(DEVICE, "1", "vs", "4098"), 61.2);
    }
  }

  @Nested
  class BrokerOutage {
    @Test
    void reconnectsAndResubscribesWhenTheBrokerComesBack() throws Exception {
      broker = DemoBroker.start("127.0.0.1", 0, 0);
      int port = broker.port();
      int websocketPort = broker.websocketPort();
      startExporter(broker.tcpUrl());
      awaitConnected(1);

      broker.close();
      broker = null;
      awaitConnected(0);
      assertEquals(503, Http.get(url("/-/ready")).statusCode());

      broker = DemoBroker.start("127.0.0.1", port, websocketPort);
      Await.until(TIMEOUT, "ready again", exporter::isReady);
      awaitConnected(1);
      // The new broker knows no session: this value arrives only if the exporter subscribed again.
      try (Publisher publisher = new Publisher(broker.tcpUrl())) {
        publisher.publish(sensorTopic("4097"), "{\"value\":24.0}");
      }
      awaitValue(measurement(DEVICE, "1", "vs", "4097"), 24.0);
      assertTrue(
          MetricsText.value(metrics(), "sensecap_exporter_mqtt_connections_lost_total") >= 1);
    }

    @Test
    void servesMetricsWhileTheBrokerIsDownAtStartUpAndConnectsWhenItComes() throws Exception {
      int port = freePort();
      startExporter("tcp://127.0.0.1:" + port);
      Await.until(
          TIMEOUT,
          "several failed attempts",
          () ->
              MetricsText.value(metrics(), "sensecap_exporter_mqtt_connection_attempts_total")
                  >= 2);
      assertEquals(0.0, MetricsText.value(metrics(), "sensecap_exporter_mqtt_connected"));
      assertEquals(503, Http.get(url("/-/ready")).statusCode());

      broker = DemoBroker.start("127.0.0.1", port, 0);
      Await.until(TIMEOUT, "ready", exporter::isReady);
      assertEquals(200, Http.get(url("/-/ready")).statusCode());
      awaitConnected(1);
    }
  }

  @Nested
  class RefusedSubscription {
    private Server refusing;

    @AfterEach
    void stopRefusingBroker() {
      if (refusing != null) {
        refusing.stopServer();
      }
    }

    @Test
    void isRetriedUntilTheBrokerAllowsIt() throws Exception {
      AtomicBoolean allowed = new AtomicBoolean();
      int port = freePort();
      Properties properties = new Properties();
      properties.setProperty("host", "127.0.0.1");
      properties.setProperty("port", Integer.toString(port));
      properties.setProperty("websocket_port", "disabled");
      properties.setProperty("allow_anonymous", "true");
      properties.setProperty("persistence_enabled", "false");
      properties.setProperty("telemetry_enabled", "false");
      refusing = new Server();
      // A broker whose ACL refuses every subscription (SUBACK 0x80) until the test allows it.
      refusing.startServer(
          new MemoryConfig(properties),
          List.of(),
          null,
          null,
          new IAuthorizatorPolicy() {
            @Override
            public boolean canWrite(Topic topic, String user, String client) {
              return true;
            }

            @Override
            public boolean canRead(Topic topic, String user, String client) {
              return allowed.get();
            }
          });
      String url = "tcp://127.0.0.1:" + port;
      startExporter(url);
      awaitConnected(1);
      Thread.sleep(1_000); // several refused subscriptions, retried with backoff
      assertEquals(503, Http.get(url("/-/ready")).statusCode());
      assertEquals(0.0, MetricsText.value(metrics(), "sensecap_exporter_mqtt_subscribed"));

      allowed.set(true);
      Await.until(TIMEOUT, "subscribed once the broker allows it", exporter::isReady);
      assertEquals(1.0, MetricsText.value(metrics(), "sensecap_exporter_mqtt_subscribed"));
      try (Publisher publisher = new Publisher(url)) {
        publisher.publish(sensorTopic("4097"), "{\"value\":18.5}");
      }
      awaitValue(measurement(DEVICE, "1", "vs", "4097"), 18.5);
    }
  }

  @Nested
  class StateAcrossRestarts {
    @TempDir Path dir;

    @Test
    void aRestartedExporterServesTheLastValuesBeforeAnyNewMessage() throws Exception {
      Path state = dir.resolve("exporter.state");
      broker = DemoBroker.start("127.0.0.1", 0, 0);
      startExporter(broker.tcpUrl(), "sensecap.state.path", state.toString());
      Await.until(TIMEOUT, "ready", exporter::isReady);
      try (Publisher publisher = new Publisher(broker.tcpUrl())) {
        publisher.publish(sensorTopic("4097"), "{\"value\":23.5,\"timestamp\":1759186369000}");
      }
      awaitValue(measurement(DEVICE, "1", "vs", "4097"), 23.5);
      exporter.close();
      assertTrue(Files.exists(state), "no state saved at shutdown");

      // A broker that knows nothing: the value can only come from the state file.
      broker.close();
      broker = DemoBroker.start("127.0.0.1", 0, 0);
      startExporter(broker.tcpUrl(), "sensecap.state.path", state.toString());
      String page = metrics();
      assertEquals(
          23.5,
          MetricsText.value(
              page, "sensecap_measurement_value", measurement(DEVICE, "1", "vs", "4097")));
      assertEquals(
          1_759_186_369.0,
          MetricsText.value(
              page,
              "sensecap_device_last_measurement_timestamp_seconds",
              Map.of("device_eui", DEVICE)));
    }

    @Test
    void aCorruptStateFileIsSetAsideAndTheExporterStartsEmpty() throws Exception {
      Path state = dir.resolve("exporter.state");
      Files.writeString(
          state, "{\"format\":\"sensecap-exporter-state\",\"version\":1,\"series\":[[\"M\"");
      broker = DemoBroker.start("127.0.0.1", 0, 0);
      startExporter(broker.tcpUrl(), "sensecap.state.path", state.toString());
      assertEquals(0.0, MetricsText.value(metrics(), "sensecap_exporter_series"));
      assertTrue(Files.exists(dir.resolve("exporter.state.corrupt")));
      Await.until(TIMEOUT, "ready", exporter::isReady);
    }
  }

  @Nested
  class Endpoints {
    @Test
    void landingPageLinksMetricsAndHealth() throws Exception {
      broker = DemoBroker.start("127.0.0.1", 0, 0);
      startExporter(broker.tcpUrl());
      HttpResponse<String> landing = Http.get(url("/"));
      assertEquals(200, landing.statusCode());
      assertTrue(landing.body().contains("href=\"metrics\""), landing.body());
      assertEquals(200, Http.get(url("/-/healthy")).statusCode());
      assertEquals(404, Http.get(url("/nothing-here")).statusCode());
    }

    @Test
    void readyOnlyOnceConnectedAndSubscribed() throws Exception {
      int port = freePort();
      startExporter("tcp://127.0.0.1:" + port);
      assertEquals(503, Http.get(url("/-/ready")).statusCode());
      broker = DemoBroker.start("127.0.0.1", port, 0);
      Await.until(TIMEOUT, "/-/ready = 200", () -> Http.get(url("/-/ready")).statusCode() == 200);
    }

    @Test
    void compressesWhenAskedAndSpeaksOpenMetricsWhenAsked() throws Exception {
      broker = DemoBroker.start("127.0.0.1", 0, 0);
      startExporter(broker.tcpUrl());

      HttpResponse<byte[]> gzipped = Http.getBytes(url("/metrics"), "Accept-Encoding", "gzip");
      assertEquals("gzip", gzipped.headers().firstValue("Content-Encoding").orElse(""));
      String text;
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      assertTrue(text.contains("# TYPE sensecap_exporter_messages_received_total counter"));

      HttpResponse<String> openMetrics =
          Http.get(url("/metrics"), "Accept", "application/openmetrics-text; version=1.0.0");
      assertTrue(
          openMetrics
              .headers()
              .firstValue("Content-Type")
              .orElse("")
              .startsWith("application/openmetrics-text"));
      assertTrue(openMetrics.body().endsWith("# EOF\n"));
    }
  }
}
