package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.sensecapexporter.demo.DemoBroker;
import io.github.sensecapexporter.testing.Await;
import io.github.sensecapexporter.testing.FakeSenseCapApi;
import io.github.sensecapexporter.testing.FakeSenseCapApi.Answer;
import io.github.sensecapexporter.testing.Http;
import io.github.sensecapexporter.testing.MetricsText;
import io.github.sensecapexporter.testing.TestSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The exporter pointed at the loopback SenseCAP HTTP API: the fleet by name on /metrics. */
class ApiIntegrationTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String NODE = "2CF7F1C044300001";
  private static final String OFFLINE = "2CF7F1C044300004";
  private static final String GATEWAY = "2CF7F1C04420001A";

  private DemoBroker broker;
  private FakeSenseCapApi api;
  private Exporter exporter;

  @BeforeEach
  void setUp() throws Exception {
    broker = DemoBroker.start("127.0.0.1", 0, 0);
    api = FakeSenseCapApi.start("organisation-4.json", Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    if (exporter != null) {
      exporter.close();
    }
    api.close();
    broker.close();
  }

  private void start(String... overrides) throws Exception {
    String[] all = new String[overrides.length + 6];
    all[0] = "sensecap.api.url";
    all[1] = api.url().toString();
    all[2] = "sensecap.api.access-id";
    all[3] = FakeSenseCapApi.ACCESS_ID;
    all[4] = "sensecap.access-key";
    all[5] = FakeSenseCapApi.ACCESS_KEY;
    System.arraycopy(overrides, 0, all, 6, overrides.length);
    exporter = Exporter.start(TestSettings.forBroker(broker.tcpUrl(), all), Clock.systemUTC());
  }

  private String metrics() {
    return Http.get("http://127.0.0.1:" + exporter.httpPort() + "/metrics").body();
  }

  @Test
  void everyMetricOfTheFleetCarriesItsValue() throws Exception {
    start(
        "sensecap.devices." + NODE + ".name",
        "Meeting room 3",
        "sensecap.devices.2CF7F1C0DEADBEEF.group",
        "Cellar");
    Await.until(
        TIMEOUT,
        "the first poll",
        () ->
            MetricsText.value(metrics(), "sensecap_exporter_api_last_success_timestamp_seconds")
                > 0);
    String page = metrics();
    assertEquals(
        1.0,
        MetricsText.value(
            page,
            "sensecap_device_info",
            Map.of(
                "device_eui", NODE,
                "device_name", "Meeting room 3",
                "group_name", "HQ",
                "network", "LoRaWAN",
                "hardware_version", "1.0",
                "software_version", "2.0")),
        page);
    assertEquals(
        1.0,
        MetricsText.value(
            page,
            "sensecap_device_info",
            Map.of(
                "device_eui", "2CF7F1C0DEADBEEF",
                "device_name", "",
                "group_name", "Cellar",
                "network", "",
                "hardware_version", "",
                "software_version", "")),
        "a device only the file knows, before it sends anything");
    Map<String, String> node = Map.of("device_eui", NODE);
    assertEquals(47.0, MetricsText.value(page, "sensecap_device_latitude_degrees", node));
    assertEquals(8.0, MetricsText.value(page, "sensecap_device_longitude_degrees", node));
    assertEquals(1.0, MetricsText.value(page, "sensecap_device_online", node));
    assertEquals(
        0.0, MetricsText.value(page, "sensecap_device_online", Map.of("device_eui", OFFLINE)));
    assertEquals(3600.0, MetricsText.value(page, "sensecap_device_report_interval_seconds", node));
    assertEquals(
        Instant.parse("2026-07-10T02:00:13.511Z").toEpochMilli() / 1000.0,
        MetricsText.value(page, "sensecap_device_last_uplink_timestamp_seconds", node));
    assertEquals(
        1.0,
        MetricsText.value(
            page,
            "sensecap_gateway_info",
            Map.of("gateway_eui", GATEWAY, "gateway_name", "Roof gateway")));
    assertEquals(
        1.0, MetricsText.value(page, "sensecap_gateway_online", Map.of("gateway_eui", GATEWAY)));
    assertEquals(
        1.0,
        MetricsText.value(
            page, "sensecap_exporter_api_requests_total", Map.of("call", "list_groups")));
    assertFalse(page.contains(FakeSenseCapApi.ACCESS_KEY));
  }

  @Test
  void aHangingApiDelaysNeitherReadinessNorScrapes() throws Exception {
    api.queue("list_groups", new Answer(200, "{\"code\":\"0\",\"data\":[]}", 20_000));
    start("sensecap.api.request-timeout", "30s");
    Await.until(TIMEOUT, "ready", exporter::isReady);
    Await.until(TIMEOUT, "the first request", () -> api.count("list_groups") == 1);
    // Had the scrape waited for the poll, the poll would have completed (its answer is an empty
    // fleet) and set the timestamp.
    String page = metrics();
    assertEquals(
        0.0, MetricsText.value(page, "sensecap_exporter_api_last_success_timestamp_seconds"));
    assertEquals(
        200, Http.get("http://127.0.0.1:" + exporter.httpPort() + "/-/ready").statusCode());
  }

  @Test
  void withoutAnAccessIdTheApiIsNotUsed() throws Exception {
    exporter = Exporter.start(TestSettings.forBroker(broker.tcpUrl()), Clock.systemUTC());
    Await.until(TIMEOUT, "ready", exporter::isReady);
    // The API's metrics are registered, at 0, as soon as it is used: none means it is not.
    String page = metrics();
    assertFalse(page.contains("sensecap_exporter_api_"), page);
  }
}
