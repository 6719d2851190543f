package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.github.sensecapexporter.testing.Await;
import io.github.sensecapexporter.testing.BrokerProxy;
import io.github.sensecapexporter.testing.DashboardQueries;
import io.github.sensecapexporter.testing.Mosquitto;
import io.github.sensecapexporter.testing.Prometheus;
import io.github.sensecapexporter.testing.Publisher;
import io.github.sensecapexporter.testing.SystemTools;
import io.github.sensecapexporter.testing.TestSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * High availability as README and RELIABILITY.md advise it: two exporters on one broker, each with
 * its own client ID and the full feed, both scraped by Debian's Prometheus running the repository's
 * prometheus.yml and rules. The fleet counts each device once, with its newest value, while both
 * replicas agree, while one is stopped, and while one is up but missed the newest readings.
 */
class ReplicasEndToEndTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String ORG = TestSettings.ORG_ID;
  private static final String KEY = "7A6B5C4D3E2F1A0B9C8D7E6F5A4B3C2D";
  private static final int DEVICES = 20;

  /** Long enough for several scrapes and rule evaluations at the test's 1-second intervals. */
  private static final Duration HOLD = Duration.ofSeconds(4);

  @TempDir Path dir;

  @Test
  void theFleetCountsEachDeviceOnceWithItsNewestValue() throws Exception {
    Files.createDirectories(dir.resolve("mosquitto"));
    int portA = SystemTools.freePort();
    int portB = SystemTools.freePort();
    int prometheusPort = SystemTools.freePort();
    String replicaA = "127.0.0.1:" + portA;
    try (Mosquitto broker =
            Mosquitto.start(
                dir.resolve("mosquitto"), "org-" + ORG, KEY, "gateway", "gateway-password");
        // Replica a reaches the broker through a proxy, so that the test can cut it off.
        BrokerProxy network = BrokerProxy.start(broker.port());
        Prometheus prometheus =
            Prometheus.start(
                dir.resolve("prometheus"),
                Prometheus.repositoryConfig(ROOT, dir, prometheusPort, List.of(portA, portB)),
                prometheusPort);
        Exporter b = replica(broker.url(), portB)) {
      try (Exporter a = replica(network.url(), portA)) {
        assertNotEquals(a.mqttClientId(), b.mqttClientId(), "replicas share a client ID");
        Await.until(TIMEOUT, "both replicas subscribed", () -> a.isReady() && b.isReady());

        long first = System.currentTimeMillis() - Duration.ofMinutes(10).toMillis();
        publishFleet(broker, 25, 40, first);
        awaitCount(prometheus, "sensecap_measurement_value == 25", 2 * DEVICES);
        assertFleetHolds(prometheus, 25, 40, "both replicas agree");

        // a loses the broker; the devices upload again, heard by b only.
        network.refuseNewConnections(true);
        network.dropConnections();
        Await.until(TIMEOUT, "replica a disconnected", () -> !a.isReady());
        publishFleet(broker, 24, 35, first + Duration.ofMinutes(5).toMillis());
        awaitCount(prometheus, "sensecap_measurement_value == 24", DEVICES);

        // a is back, connected and scraped, but holds the older readings: the replicas disagree.
        network.refuseNewConnections(false);
        Await.until(TIMEOUT, "replica a reconnected", a::isReady);
        awaitCount(
            prometheus, "sensecap_exporter_mqtt_connected{instance=\"" + replicaA + "\"} == 1", 1);
        assertEquals(
            DEVICES,
            count(prometheus, "sensecap_measurement_value{instance=\"" + replicaA + "\"} == 25"),
            "replica a should still hold the older readings");
        assertEquals(
            25.0,
            prometheus.scalar("max(max without (instance) (sensecap_measurement_value))"),
            "the larger value across replicas is the older one");
        assertFleetHolds(prometheus, 24, 35, "replica a lags behind b");
      }

      // a is stopped: its series go stale at the failed scrape, not 5 minutes later, and the
      // fleet is what b holds.
      awaitCount(prometheus, "up{instance=\"" + replicaA + "\"} == 0", 1);
      awaitCount(prometheus, "sensecap_measurement_value", DEVICES);
      assertFleetHolds(prometheus, 24, 35, "replica a is stopped");
    }
  }

  private static Exporter replica(String brokerUrl, int httpPort) throws Exception {
    return Exporter.start(
        TestSettings.forBroker(
            brokerUrl, "sensecap.access-key", KEY, "sensecap.http.port", String.valueOf(httpPort)),
        Clock.systemUTC());
  }

  /** One temperature reading and one battery report per device, measured at {@code millis}. */
  private static void publishFleet(
      Mosquitto broker, double temperature, double battery, long millis) throws Exception {
    try (Publisher gateway = new Publisher(broker.url(), "gateway", "gateway-password")) {
      for (int i = 0; i < DEVICES; i++) {
        String device = "2CF7F1C04%07X".formatted(i);
        gateway.publish(
            "/device_sensor_data/%s/%s/1/vs/4097".formatted(ORG, device),
            "{\"value\":%s,\"timestamp\":%d}".formatted(temperature, millis));
        gateway.publish(
            "/device_status_event/%s/%s/vs/3000".formatted(ORG, device),
            "{\"value\":%s,\"timestamp\":%d}".formatted(battery, millis));
      }
    }
  }

  /**
   * For {@link #HOLD}, at every look: each device counted once by the recording rules and by the
   * fleet dashboard's "Devices reporting", with the given newest temperature and battery.
   */
  private static void assertFleetHolds(
      Prometheus prometheus, double temperature, double battery, String when) {
    String devicesReporting = fleetPanelQuery("Devices reporting");
    String devicesTableRows = fleetPanelQuery("Devices");
    Await.until(
        TIMEOUT,
        "the recording rules to show temperature " + temperature + " while " + when,
        () -> count(prometheus, "sensecap:measurement_value:newest == " + temperature) == DEVICES);
    long end = System.nanoTime() + HOLD.toNanos();
    while (System.nanoTime() < end) {
      assertEquals(
          DEVICES,
          count(prometheus, "sensecap:device_seconds_since_last_measurement"),
          "devices while " + when);
      assertEquals(DEVICES, prometheus.scalar(devicesReporting), "Devices reporting while " + when);
      assertEquals(
          DEVICES, count(prometheus, devicesTableRows), "rows of the Devices table while " + when);
      assertEquals(
          DEVICES, count(prometheus, "sensecap:measurement_value:newest"), "series while " + when);
      assertEquals(
          DEVICES,
          count(prometheus, "sensecap:measurement_value:newest == " + temperature),
          "series with the newest temperature while " + when);
      assertEquals(
          DEVICES,
          count(
              prometheus, "sensecap:device_status_value:newest{status_id=\"3000\"} == " + battery),
          "batteries with the newest report while " + when);
    }
  }

  private static String fleetPanelQuery(String title) {
    return DashboardQueries.of(
            ROOT.resolve("grafana/dashboards/fleet-overview.json"),
            Map.of("job", "sensecap", "group", ".*", "search", "", "limit", "100"))
        .stream()
        .filter(query -> query.origin().contains("panel '" + title + "'"))
        .findFirst()
        .orElseThrow()
        .promql();
  }

  private static int count(Prometheus prometheus, String promql) {
    return prometheus.query(promql).size();
  }

  private static void awaitCount(Prometheus prometheus, String promql, int expected) {
    Await.until(
        TIMEOUT, expected + " series for " + promql, () -> count(prometheus, promql) == expected);
  }
}
