package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.sensecapexporter.config.Secret;
import io.github.sensecapexporter.config.Settings;
import io.github.sensecapexporter.demo.DemoApi;
import io.github.sensecapexporter.demo.DemoBroker;
import io.github.sensecapexporter.demo.DemoFleet;
import io.github.sensecapexporter.testing.Await;
import io.github.sensecapexporter.testing.Http;
import io.github.sensecapexporter.testing.MetricsText;
import io.github.sensecapexporter.testing.TestSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The demo's broker, fleet and simulated API wired as --demo wires them, in process. */
class DemoFleetByNameTest {
  private static final String OFFLINE = "2CF7F1C0443007B2";
  private static final String GATEWAY = "2CF7F1C04420001A";

  @Test
  void theFleetByNameInGroupsOnTheMapWithinFifteenSeconds() throws Exception {
    long started = System.nanoTime();
    try (DemoBroker broker = DemoBroker.start("127.0.0.1", 0, 0);
        DemoApi api = DemoApi.start("127.0.0.1", Clock.systemUTC())) {
      Settings base = TestSettings.forBroker(broker.tcpUrl());
      Settings settings =
          base.withApi(
              base.api()
                  .withConnection(api.url(), DemoApi.ACCESS_ID, new Secret(DemoApi.ACCESS_KEY)));
      try (Exporter exporter = Exporter.start(settings, Clock.systemUTC())) {
        Await.until(Duration.ofSeconds(10), "ready", exporter::isReady);
        DemoFleet fleet =
            DemoFleet.start(
                broker.tcpUrl(), TestSettings.ORG_ID, Duration.ofSeconds(5), Clock.systemUTC());
        try {
          String url = "http://127.0.0.1:" + exporter.httpPort() + "/metrics";
          Await.until(
              Duration.ofSeconds(15).minusNanos(System.nanoTime() - started),
              "the fleet by name",
              () -> {
                String page = Http.get(url).body();
                return MetricsText.value(
                            page, "sensecap_exporter_api_last_success_timestamp_seconds")
                        > 0
                    && devices(page, "sensecap_measurement_value{").size() == 9;
              });
          String page = Http.get(url).body();
          Set<String> publishing = devices(page, "sensecap_measurement_value{");
          assertEquals(publishing, devices(page, "sensecap_device_info{"), page);
          Set<String> groups = new TreeSet<>();
          for (String line :
              page.lines().filter(l -> l.startsWith("sensecap_device_info{")).toList()) {
            assertFalse(line.contains("device_name=\"\""), line);
            groups.add(line.replaceAll(".*group_name=\"([^\"]*)\".*", "$1"));
          }
          assertEquals(Set.of("HQ", "Garden"), groups);
          assertEquals(publishing, devices(page, "sensecap_device_latitude_degrees{"));
          assertEquals(publishing, devices(page, "sensecap_device_longitude_degrees{"));
          assertEquals(
              0.0,
              MetricsText.value(page, "sensecap_device_online", Map.of("device_eui", OFFLINE)));
          assertEquals(
              1.0,
              MetricsText.value(
                  page, "sensecap_device_online", Map.of("device_eui", "2CF7F1C04430065C")));
          assertEquals(
              1.0,
              MetricsText.value(
                  page,
                  "sensecap_gateway_info",
                  Map.of("gateway_eui", GATEWAY, "gateway_name", "Roof gateway")));
          assertEquals(
              1.0,
              MetricsText.value(page, "sensecap_gateway_online", Map.of("gateway_eui", GATEWAY)));
        } finally {
          fleet.close();
        }
      }
    }
  }

  private static Set<String> devices(String page, String prefix) {
    Set<String> devices = new TreeSet<>();
    page.lines()
        .filter(line -> line.startsWith(prefix))
        .forEach(
            line -> {
              int start = line.indexOf("device_eui=\"") + 12;
              devices.add(line.substring(start, start + 16));
            });
    return devices;
  }
}
