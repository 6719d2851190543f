package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.testing.Await;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring stack as shipped: Debian's mosquitto, the exporter, and Debian's Prometheus
 * running our own prometheus.yml and rules, without the SenseCAP HTTP API but with one device named
 * in sensecap.devices. Every dashboard query must be valid and return data, but for what only the
 * API tells, and a silent device must raise its alert, named by its EUI.
 */
class StackEndToEndTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String ORG = TestSettings.ORG_ID;
  private static final String ACCESS_KEY = "0F1E2D3C4B5A69788796A5B4C3D2E1F0";
  private static final String DEVICE = "2CF7F1C04430065C";
  private static final String DEVICE_WITH_FLAT_BATTERY = "2CF7F1C0443007B2";
  private static final String SILENT_DEVICE = "2CF7F1C0720004E8";
  private static final String NAMED_BY_HAND = "Meeting room 3";

  /** What only the SenseCAP HTTP API tells, which this exporter is not configured to ask. */
  private static final Pattern API_METADATA =
      Pattern.compile(
          "sensecap[_:](device_online|device_latitude|device_longitude|device_report_interval"
              + "|device_last_uplink|gateway_|exporter_api_)");

  @TempDir Path dir;

  @Test
  void dashboardsQueryRealDataAndASilentDeviceRaisesItsAlert() throws Exception {
    Files.createDirectories(dir.resolve("mosquitto"));
    try (Mosquitto mosquitto =
            Mosquitto.start(
                dir.resolve("mosquitto"), "org-" + ORG, ACCESS_KEY, "gateway", "gateway-password");
        Exporter exporter =
            Exporter.start(
                TestSettings.forBroker(
                    mosquitto.url(),
                    "sensecap.access-key",
                    ACCESS_KEY,
                    "sensecap.devices." + DEVICE + ".name",
                    NAMED_BY_HAND,
                    "sensecap.devices." + DEVICE + ".group",
                    "HQ"),
                Clock.systemUTC())) {
      Await.until(TIMEOUT, "exporter subscribed", exporter::isReady);
      publishFleet(mosquitto.url());

      int prometheusPort = SystemTools.freePort();
      Path config =
          Prometheus.repositoryConfig(ROOT, dir, prometheusPort, List.of(exporter.httpPort()));
      try (Prometheus prometheus =
          Prometheus.start(dir.resolve("prometheus"), config, prometheusPort)) {
        Await.until(
            TIMEOUT,
            "up{job=\"sensecap\"} == 1 and the recording rules evaluated",
            () ->
                prometheus.query("up{job=\"sensecap\"} == 1").size() == 1
                    && prometheus.query("sensecap:device_silence_threshold_seconds").size() == 4);

        Await.until(
            TIMEOUT,
            "SenseCAPDeviceSilent pending or firing for " + SILENT_DEVICE,
            () ->
                !prometheus
                    .query(
                        "ALERTS{alertname=\"SenseCAPDeviceSilent\", device_eui=\""
                            + SILENT_DEVICE
                            + "\", device_name=\""
                            + SILENT_DEVICE
                            + "\"}")
                    .isEmpty());
        assertEquals(
            1,
            prometheus.query("ALERTS{alertname=\"SenseCAPDeviceSilent\"}").size(),
            "only one device is silent");
        Await.until(
            TIMEOUT,
            "SenseCAPBatteryLow for " + DEVICE_WITH_FLAT_BATTERY,
            () ->
                !prometheus
                    .query(
                        "ALERTS{alertname=\"SenseCAPBatteryLow\", device_eui=\""
                            + DEVICE_WITH_FLAT_BATTERY
                            + "\"}")
                    .isEmpty());

        // Counters need two scrapes before rate() has a value, and recorded series two
        // evaluations before delta() has one.
        prometheus.awaitTwoRuleEvaluations(TIMEOUT);
        Await.until(
            TIMEOUT,
            "a rate over the received counter",
            () ->
                !prometheus.query("rate(sensecap_exporter_messages_received_total[2m])").isEmpty());
        // Without the SenseCAP HTTP API, a device named in sensecap.devices has that name and
        // group; the others are named by their EUI and have no group.
        assertEquals(
            1,
            prometheus
                .query(
                    "sensecap:device_info{device_eui=\"%s\", device_name=\"%s\", group_name=\"HQ\"}"
                        .formatted(DEVICE, NAMED_BY_HAND))
                .size());
        assertEquals(
            1,
            prometheus
                .query(
                    "sensecap:device_info{device_eui=\"%s\", device_name=\"%s\", group_name=\"\"}"
                        .formatted(SILENT_DEVICE, SILENT_DEVICE))
                .size());
        Map<String, String> variables =
            Map.of(
                "job", "sensecap",
                "instance", "127.0.0.1:" + exporter.httpPort(),
                "group", ".*",
                "search", "",
                "limit", "100",
                "device", DEVICE,
                "channel", "1",
                "measurement", "4097");
        List<String> failures = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> dashboards = Files.list(ROOT.resolve("grafana/dashboards"))) {
          for (Path dashboard : dashboards.sorted().toList()) {
            for (DashboardQueries.Query query : DashboardQueries.of(dashboard, variables)) {
              checked++;
              try {
                if (prometheus.query(query.promql()).isEmpty()
                    && !API_METADATA.matcher(query.promql()).find()) {
                  failures.add(query.origin() + ": no data for " + query.promql());
                }
              } catch (AssertionError e) {
                failures.add(query.origin() + ": " + e.getMessage());
              }
            }
          }
        }
        assertTrue(checked >= 20, "only " + checked + " dashboard queries found");
        assertEquals(List.of(), failures);
      }
    }
  }

  /**
   * A fleet with a device that reports a 60-minute interval and has a leak sensor, a flat battery
   * and a silent tracker.
   */
  private static void publishFleet(String url) throws Exception {
    long now = System.currentTimeMillis();
    long fourHoursAgo = now - Duration.ofHours(4).toMillis();
    try (Publisher gateway = new Publisher(url, "gateway", "gateway-password")) {
      for (String device : List.of(DEVICE, "2CF7F1C0443006A1", DEVICE_WITH_FLAT_BATTERY)) {
        for (String channel : List.of("1", "2")) {
          gateway.publish(sensor(device, channel, "4097"), body(21.5, now));
          gateway.publish(sensor(device, channel, "4098"), body(55, now));
        }
        gateway.publish(
            status(device, "3000"), body(device.equals(DEVICE_WITH_FLAT_BATTERY) ? 8 : 90, now));
      }
      gateway.publish(status(DEVICE, "3900"), body(60, now));
      // A data logger with a water leak sensor on channel 3: dry.
      gateway.publish(sensor(DEVICE, "3", "4116"), body(0, now));
      // The tracker's last reading was measured four hours ago: past the three-hour default.
      gateway.publish(sensor(SILENT_DEVICE, "1", "4097"), body(19.0, fourHoursAgo));
      gateway.publish(status(SILENT_DEVICE, "3000"), body(70, fourHoursAgo));
      gateway.publish(
          sensor(SILENT_DEVICE, "1", "5001"), "{\"value\":[{\"mac\":\"4C:5E:0C:12:34:56\"}]}");
    }
  }

  private static String sensor(String device, String channel, String measurement) {
    return "/device_sensor_data/%s/%s/%s/vs/%s".formatted(ORG, device, channel, measurement);
  }

  private static String status(String device, String statusId) {
    return "/device_status_event/%s/%s/vs/%s".formatted(ORG, device, statusId);
  }

  private static String body(double value, long timestampMillis) {
    return "{\"value\":%s,\"timestamp\":%d}".formatted(value, timestampMillis);
  }
}
