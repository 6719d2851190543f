package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.sensecapexporter.config.Secret;
import io.github.sensecapexporter.config.Settings;
import io.github.sensecapexporter.demo.DemoApi;
import io.github.sensecapexporter.demo.DemoBroker;
import io.github.sensecapexporter.demo.DemoFleet;
import io.github.sensecapexporter.testing.Await;
import io.github.sensecapexporter.testing.DashboardQueries;
import io.github.sensecapexporter.testing.Prometheus;
import io.github.sensecapexporter.testing.SystemTools;
import io.github.sensecapexporter.testing.TestSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as --demo wires it (broker, fleet and simulated SenseCAP HTTP API, in process), scraped
 * by Debian's Prometheus with our prometheus.yml and rules under a job name of its own: every
 * dashboard query returns data, devices by name, the demo's offline device raises its alerts, and
 * the exporter stopped is down.
 */
class DemoStackEndToEndTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** Not "sensecap": neither rules nor dashboards may depend on the job's name. */
  private static final String JOB = "iot-fleet";

  private static final int DEVICES = 9;
  private static final String OFFLINE = "2CF7F1C0443007B2";
  private static final String TRACKER = "2CF7F1C0720004E8";
  private static final String LEAK_SENSOR = "2CF7F1C0441000A3";
  private static final String WEATHER_STATION = "2CF7F1C0630002D5";

  @TempDir Path dir;

  @Test
  void everyPanelShowsTheDemoFleetByNameAndItsOfflineDeviceAlerts() throws Exception {
    try (DemoBroker broker = DemoBroker.start("127.0.0.1", 0, 0);
        DemoApi api = DemoApi.start("127.0.0.1", Clock.systemUTC())) {
      int exporterPort = SystemTools.freePort();
      Settings base =
          TestSettings.forBroker(
              broker.tcpUrl(), "sensecap.http.port", String.valueOf(exporterPort));
      Settings settings =
          base.withApi(
              base.api()
                  .withConnection(api.url(), DemoApi.ACCESS_ID, new Secret(DemoApi.ACCESS_KEY)));
      int prometheusPort = SystemTools.freePort();
      Path config = Prometheus.repositoryConfig(ROOT, dir, prometheusPort, List.of(exporterPort));
      String yaml = Files.readString(config);
      assertTrue(yaml.contains("job_name: sensecap\n"), "prometheus.yml changed shape");
      Files.writeString(config, yaml.replace("job_name: sensecap\n", "job_name: " + JOB + "\n"));
      try (Prometheus prometheus =
          Prometheus.start(dir.resolve("prometheus"), config, prometheusPort)) {
        try (Exporter exporter = Exporter.start(settings, Clock.systemUTC())) {
          DemoFleet fleet =
              DemoFleet.start(
                  broker.tcpUrl(), TestSettings.ORG_ID, Duration.ofSeconds(5), Clock.systemUTC());
          try {
            Await.until(TIMEOUT, "exporter subscribed", exporter::isReady);
            Await.until(
                TIMEOUT,
                "every device named and its platform status recorded",
                () ->
                    prometheus.query("sensecap:device_info{device_name!~\"2CF7.*\"}").size()
                            == DEVICES
                        && prometheus.query("sensecap:device_online:newest").size() == DEVICES
                        && prometheus
                                .query("sensecap:measurement_value:newest{measurement_id=\"4198\"}")
                                .size()
                            == 1);
            assertAlerts(prometheus);
            assertTrackerIsWhereItMeasuredItself(prometheus);
            // Counters need two scrapes before rate() has a value, and recorded series two
            // evaluations before delta() has one.
            prometheus.awaitTwoRuleEvaluations(TIMEOUT);
            Await.until(
                TIMEOUT,
                "a rate over the API's request counter",
                () ->
                    !prometheus
                        .query("rate(sensecap_exporter_api_requests_total[2m]) >= 0")
                        .isEmpty());
            assertEveryQueryReturnsData(prometheus, exporterPort);
            assertDevicesTableNamesEveryDevice(prometheus);
          } finally {
            fleet.close();
          }
        }
        // Stopped, the exporter is down under whatever job it is scraped as.
        String down =
            "ALERTS{alertname=\"SenseCAPExporterDown\", job=\"%s\", instance=\"127.0.0.1:%d\"}"
                .formatted(JOB, exporterPort);
        Await.until(TIMEOUT, down, () -> !prometheus.query(down).isEmpty());
      }
    }
  }

  /** The demo's offline device is reported offline and low on battery, by name; no other. */
  private static void assertAlerts(Prometheus prometheus) {
    for (String alert : List.of("SenseCAPDeviceOffline", "SenseCAPBatteryLow")) {
      String selector =
          "ALERTS{alertname=\"%s\", job=\"%s\", device_eui=\"%s\", device_name=\"Server room\", group_name=\"HQ\"}"
              .formatted(alert, JOB, OFFLINE);
      Await.until(
          TIMEOUT,
          alert + " pending or firing for " + OFFLINE,
          () -> !prometheus.query(selector).isEmpty());
      assertEquals(
          1,
          prometheus.query("ALERTS{alertname=\"" + alert + "\"}").size(),
          "only " + OFFLINE + " raises " + alert);
    }
    for (String quiet :
        List.of(
            "SenseCAPExporterDown",
            "SenseCAPGatewayOffline",
            "SenseCAPApiFailing",
            "SenseCAPBatteryEmptySoon")) {
      assertEquals(
          List.of(),
          asList(prometheus.query("ALERTS{alertname=\"" + quiet + "\"}")),
          quiet + " in a healthy demo");
    }
  }

  /** A tracker is mapped at its own newest fix (4198, 4197), not at the platform's position. */
  private static void assertTrackerIsWhereItMeasuredItself(Prometheus prometheus) {
    double measured =
        prometheus.scalar(
            "max(sensecap:measurement_value:newest{device_eui=\"%s\", measurement_id=\"4198\"})"
                .formatted(TRACKER));
    double platform =
        prometheus.scalar(
            "sensecap:device_latitude_degrees:newest{device_eui=\"%s\"}".formatted(TRACKER));
    assertNotEquals(platform, measured, "the demo's tracker should have moved");
    assertEquals(
        measured,
        prometheus.scalar(
            "sensecap:device_latitude_degrees{device_eui=\"%s\"}".formatted(TRACKER)));
  }

  /**
   * Every panel's and variable's query returns data, and one that joins names has them in every
   * result. The device detail is looked at for several devices, as a person would: its water leak
   * panel has data for the leak sensor only.
   */
  private static void assertEveryQueryReturnsData(Prometheus prometheus, int exporterPort)
      throws Exception {
    Map<String, String> common = new HashMap<>();
    common.put("job", JOB);
    common.put("instance", "127.0.0.1:" + exporterPort);
    common.put("group", ".*");
    common.put("search", "");
    common.put("limit", "100");
    common.put("channel", "1");
    common.put("measurement", "4097");
    Map<String, Boolean> answered = new LinkedHashMap<>();
    List<String> failures = new ArrayList<>();
    try (Stream<Path> dashboards = Files.list(ROOT.resolve("grafana/dashboards"))) {
      for (Path dashboard : dashboards.sorted().toList()) {
        for (String device : List.of(OFFLINE, LEAK_SENSOR, WEATHER_STATION)) {
          Map<String, String> variables = new HashMap<>(common);
          variables.put("device", device);
          for (DashboardQueries.Query query : DashboardQueries.of(dashboard, variables)) {
            try {
              JsonArray result = prometheus.query(query.promql());
              answered.merge(query.origin(), !result.isEmpty(), Boolean::logicalOr);
              for (String name : List.of("device_name", "gateway_name")) {
                if (query.promql().contains("group_left (" + name) && !allHave(result, name)) {
                  failures.add(query.origin() + ": a result without " + name + ": " + result);
                }
              }
            } catch (AssertionError e) {
              failures.add(query.origin() + ": " + e.getMessage());
            }
          }
        }
      }
    }
    answered.forEach(
        (origin, data) -> {
          if (!data) {
            failures.add(origin + ": no data");
          }
        });
    assertTrue(answered.size() >= 40, "only " + answered.size() + " dashboard queries found");
    assertEquals(List.of(), failures);
  }

  /** The fleet table's rows: each device once, by its name from the API, in its group. */
  private static void assertDevicesTableNamesEveryDevice(Prometheus prometheus) {
    Map<String, String> variables =
        Map.of("job", JOB, "group", "Garden", "search", "", "limit", "100");
    DashboardQueries.Query rows =
        DashboardQueries.of(ROOT.resolve("grafana/dashboards/fleet-overview.json"), variables)
            .stream()
            .filter(q -> q.origin().contains("panel 'Devices' target A"))
            .findFirst()
            .orElseThrow();
    Set<String> names = new TreeSet<>();
    for (JsonElement row : prometheus.query(rows.promql())) {
      names.add(row.getAsJsonObject().getAsJsonObject("metric").get("device_name").getAsString());
    }
    assertEquals(Set.of("Weather station", "Vegetable bed", "Delivery van"), names);

    Map<String, String> search = new HashMap<>(variables);
    search.put("group", ".*");
    search.put("search", "meeting ROOM");
    search.put("limit", "1");
    DashboardQueries.Query oneMeetingRoom =
        DashboardQueries.of(ROOT.resolve("grafana/dashboards/fleet-overview.json"), search).stream()
            .filter(q -> q.origin().contains("panel 'Devices' target A"))
            .findFirst()
            .orElseThrow();
    JsonArray found = prometheus.query(oneMeetingRoom.promql());
    assertEquals(1, found.size(), found.toString());
    assertTrue(
        found
            .get(0)
            .getAsJsonObject()
            .getAsJsonObject("metric")
            .get("device_name")
            .getAsString()
            .startsWith("Meeting room "),
        found.toString());
  }

  private static boolean allHave(JsonArray result, String label) {
    for (JsonElement sample : result) {
      if (!sample.getAsJsonObject().getAsJsonObject("metric").has(label)) {
        return false;
      }
    }
    return true;
  }

  private static List<JsonObject> asList(JsonArray array) {
    List<JsonObject> out = new ArrayList<>();
    array.forEach(e -> out.add(e.getAsJsonObject()));
    return out;
  }
}
