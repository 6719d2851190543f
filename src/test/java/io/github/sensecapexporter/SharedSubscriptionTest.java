package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.testing.Await;
import io.github.sensecapexporter.testing.Http;
import io.github.sensecapexporter.testing.MetricsText;
import io.github.sensecapexporter.testing.Mosquitto;
import io.github.sensecapexporter.testing.Publisher;
import io.github.sensecapexporter.testing.TestSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a shared subscription ($share) costs: two exporters in one group split an organisation's
 * feed between them, so neither holds all of it, which is why RELIABILITY.md gives replicas the
 * full feed each for high availability (ReplicasEndToEndTest) and $share only to spread a load.
 */
class SharedSubscriptionTest {
  private static final String ORG = TestSettings.ORG_ID;
  private static final String KEY = "5E6F7A8B9C0D1E2F3A4B5C6D7E8F9A0B";
  private static final String SHARED = "$share/sensecap//device_sensor_data/" + ORG + "/+/+/+/+";
  private static final int DEVICES = 500;

  @TempDir Path dir;

  @Test
  void eachExporterHoldsOnlyPartOfTheFeedWithNothingLostOrOnBoth() throws Exception {
    Files.createDirectories(dir.resolve("mosquitto"));
    try (Mosquitto broker =
            Mosquitto.start(
                dir.resolve("mosquitto"), "org-" + ORG, KEY, "gateway", "gateway-password");
        Exporter first = start(broker);
        Exporter second = start(broker)) {
      Await.until(
          Duration.ofSeconds(30), "both subscribed", () -> first.isReady() && second.isReady());
      try (Publisher gateway = new Publisher(broker.url(), "gateway", "gateway-password")) {
        for (int i = 0; i < DEVICES; i++) {
          gateway.publish(
              "/device_sensor_data/%s/2CF7F1C04%07X/1/vs/4097".formatted(ORG, i),
              "{\"value\":%d}".formatted(i));
        }
      }
      Await.until(
          Duration.ofSeconds(30),
          "every series on one of the two",
          () -> series(first).size() + series(second).size() == DEVICES);
      Set<String> union = new HashSet<>(series(first));
      Set<String> both = new HashSet<>(series(first));
      union.addAll(series(second));
      both.retainAll(series(second));
      System.out.println(
          "FIGURE shared_subscription_split=" + series(first).size() + "+" + series(second).size());
      assertEquals(DEVICES, union.size(), "series lost");
      assertEquals(Set.of(), both, "series served by both exporters");
      assertTrue(series(first).size() > 0 && series(second).size() > 0, "one exporter got nothing");
    }
  }

  private static Exporter start(Mosquitto broker) throws Exception {
    return Exporter.start(
        TestSettings.forBroker(
            broker.url(), "sensecap.access-key", KEY, "sensecap.mqtt.topics", SHARED),
        Clock.systemUTC());
  }

  /** The device EUIs an exporter serves. */
  private static Set<String> series(Exporter exporter) {
    String page = Http.get("http://127.0.0.1:" + exporter.httpPort() + "/metrics").body();
    Set<String> devices = new HashSet<>();
    for (String line : page.lines().toList()) {
      if (line.startsWith("sensecap_measurement_value{")) {
        int start = line.indexOf("device_eui=\"") + 12;
        devices.add(line.substring(start, line.indexOf('"', start)));
      }
    }
    assertEquals(
        devices.size(),
        MetricsText.value(page, "sensecap_exporter_series").intValue(),
        "series gauge and page disagree");
    return devices;
  }
}
