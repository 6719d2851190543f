package io.github.sensecapexporter;

import static io.github.sensecapexporter.testing.MetricsText.measurement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.sensecapexporter.config.Settings;
import io.github.sensecapexporter.testing.Await;
import io.github.sensecapexporter.testing.Http;
import io.github.sensecapexporter.testing.MetricsText;
import io.github.sensecapexporter.testing.Mosquitto;
import io.github.sensecapexporter.testing.Prometheus;
import io.github.sensecapexporter.testing.Publisher;
import io.github.sensecapexporter.testing.SystemTools;
import io.github.sensecapexporter.testing.TestSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * As a user would run it: Debian's mosquitto with a password file, the exporter logging in with
 * SenseCAP's credential rules, Debian's Prometheus scraping it, and promtool checking the page.
 */
class SystemEndToEndTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String ORG = TestSettings.ORG_ID;
  private static final String HOSTILE_EUI = "a\"b\\c";
  private static final String ACCESS_KEY = "B5D0A4A1E1F24C3D9A8F7E6D5C4B3A29";

  @TempDir Path dir;

  @Test
  void servesEveryPublishedSeriesAndPrometheusScrapesIt() throws Exception {
    Path promtool = SystemTools.require("promtool");
    Files.createDirectories(dir.resolve("mosquitto"));
    try (Mosquitto mosquitto =
            Mosquitto.start(
                dir.resolve("mosquitto"), "org-" + ORG, ACCESS_KEY, "gateway", "gateway-password");
        Exporter exporter = startExporter(mosquitto.url())) {
      Await.until(TIMEOUT, "exporter subscribed to mosquitto", exporter::isReady);

      // Sensor EUI and "vs" fifth levels, several channels, numbers, strings and booleans.
      Map<String, Double> expected = new LinkedHashMap<>();
      try (Publisher gateway = new Publisher(mosquitto.url(), "gateway", "gateway-password")) {
        for (int device = 0; device < 5; device++) {
          String eui = String.format("2CF7F1C0443%05X", device);
          String fifth = device % 2 == 0 ? "vs" : "2CF7F130039%05X".formatted(device);
          for (int channel = 1; channel <= 2; channel++) {
            for (String id : new String[] {"4097", "4098", "4100"}) {
              double value = device * 100 + channel * 10 + Integer.parseInt(id) % 10 + 0.25;
              String topic =
                  "/device_sensor_data/%s/%s/%d/%s/%s".formatted(ORG, eui, channel, fifth, id);
              String body =
                  device % 3 == 0
                      ? "{\"value\":\"%s\",\"timestamp\":\"1759186369000\"}".formatted(value)
                      : "{\"value\":%s,\"timestamp\":1759186369000}".formatted(value);
              gateway.publish(topic, body);
              expected.put(eui + "|" + channel + "|" + fifth + "|" + id, value);
            }
          }
          gateway.publish(
              "/device_status_event/%s/%s/vs/3000".formatted(ORG, eui),
              "{\"value\":%d,\"timestamp\":1759186369000}".formatted(90 - device));
        }
        gateway.publish(
            "/device_sensor_data/%s/2CF7F1C0441000A3/1/vs/4116".formatted(ORG),
            "{\"value\":true,\"timestamp\":1759186369000}");
        expected.put("2CF7F1C0441000A3|1|vs|4116", 1.0);
        // A label value that must be escaped for the page to parse (brokers refuse newlines).
        gateway.publish(
            "/device_sensor_data/%s/%s/1/vs/4097".formatted(ORG, HOSTILE_EUI), "{\"value\":2.5}");
        expected.put(HOSTILE_EUI + "|1|vs|4097", 2.5);
      }

      String metricsUrl = "http://127.0.0.1:" + exporter.httpPort() + "/metrics";
      Await.until(
          TIMEOUT,
          "every published series on /metrics",
          () -> expected.size() == countMeasurements(Http.get(metricsUrl).body()));
      String page = Http.get(metricsUrl).body();
      for (Map.Entry<String, Double> series : expected.entrySet()) {
        String[] labels = series.getKey().split("\\|", -1);
        assertEquals(
            series.getValue(),
            MetricsText.value(
                page,
                "sensecap_measurement_value",
                measurement(labels[0], labels[1], labels[2], labels[3])),
            series.getKey());
      }
      assertEquals(
          88.0,
          MetricsText.value(
              page,
              "sensecap_device_status_value",
              Map.of("device_eui", "2CF7F1C044300002", "status_id", "3000")));

      SystemTools.Result check =
          SystemTools.run(dir, page, promtool.toString(), "check", "metrics");
      assertEquals(0, check.exitCode(), check.output());
      assertEquals("", check.output().strip(), "promtool check metrics has something to say");

      Path config = dir.resolve("prometheus.yml");
      Files.writeString(
          config,
          """
          global:
            scrape_interval: 1s
          scrape_configs:
            - job_name: sensecap
              static_configs:
                - targets: ['127.0.0.1:%d']
          """
              .formatted(exporter.httpPort()));
      try (Prometheus prometheus = Prometheus.start(dir.resolve("prometheus"), config)) {
        Await.until(
            TIMEOUT,
            "up{job=\"sensecap\"} == 1",
            () -> prometheus.query("up{job=\"sensecap\"} == 1").size() == 1);
        Await.until(
            TIMEOUT,
            "Prometheus holds every measurement",
            () -> prometheus.scalar("count(sensecap_measurement_value)") == expected.size());
        assertFalse(
            prometheus.query("sensecap_measurement_value{measurement_id=\"4116\"} == 1").isEmpty());
        assertFalse(
            prometheus
                .query("sensecap_measurement_value{device_eui=\"a\\\"b\\\\c\"} == 2.5")
                .isEmpty());
      }
    }
  }

  @Test
  void retriesARefusedLoginUntilTheBrokerAcceptsTheKey() throws Exception {
    Files.createDirectories(dir.resolve("mosquitto"));
    try (Mosquitto mosquitto =
            Mosquitto.start(dir.resolve("mosquitto"), "org-" + ORG, "an-older-access-key");
        Exporter exporter = startExporter(mosquitto.url())) {
      String metricsUrl = "http://127.0.0.1:" + exporter.httpPort() + "/metrics";
      Await.until(
          TIMEOUT,
          "three refused logins",
          () ->
              MetricsText.value(
                      Http.get(metricsUrl).body(),
                      "sensecap_exporter_mqtt_connection_attempts_total")
                  >= 3);
      assertEquals(
          0.0, MetricsText.value(Http.get(metricsUrl).body(), "sensecap_exporter_mqtt_connected"));

      mosquitto.changePassword("org-" + ORG, ACCESS_KEY);
      Await.until(TIMEOUT, "connected once the broker accepts the key", exporter::isReady);
      assertEquals(
          1.0, MetricsText.value(Http.get(metricsUrl).body(), "sensecap_exporter_mqtt_connected"));
    }
  }

  private Exporter startExporter(String url) throws Exception {
    Settings settings = TestSettings.forBroker(url, "sensecap.access-key", ACCESS_KEY);
    return Exporter.start(settings, Clock.systemUTC());
  }

  private static int countMeasurements(String page) {
    int count = 0;
    for (String line : page.split("\n")) {
      if (line.startsWith("sensecap_measurement_value{")) {
        count++;
      }
    }
    return count;
  }
}
