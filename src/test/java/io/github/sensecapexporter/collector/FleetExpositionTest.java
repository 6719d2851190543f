package io.github.sensecapexporter.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.fleet.Device;
import io.github.sensecapexporter.fleet.Fleet;
import io.github.sensecapexporter.fleet.FleetMetadata;
import io.github.sensecapexporter.fleet.Gateway;
import io.github.sensecapexporter.store.SeriesStore;
import io.github.sensecapexporter.testing.MetricsText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class FleetExpositionTest {
  private static final String ROOM = "2CF7F1C04430065C";
  private static final String LAB = "2CF7F1C0443006A1";
  private static final String GATEWAY = "2CF7F1C04420001A";

  private static String page(FleetMetadata fleet) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new SeriesExposition(
            new SeriesStore(Clock.systemUTC(), Duration.ofHours(1), 10),
            MeasurementCatalogue.bundled(),
            fleet::current)
        .writeTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  private static Fleet api() {
    Device room =
        Device.listed(ROOM, "Room \"3\"\\east\nwing", "HQ")
            .withDetails(
                "", "LoRaWAN", "1.0", "2.3", OptionalDouble.of(22.5), OptionalDouble.of(113.9))
            .withStatus(
                Optional.of(false), OptionalLong.of(300), OptionalLong.of(1_783_650_913_511L));
    Device lab = Device.listed(LAB, "Lab", "");
    return new Fleet(
        Map.of(ROOM, room, LAB, lab),
        Map.of(GATEWAY, new Gateway(GATEWAY, "Roof", Optional.of(true))));
  }

  @Test
  void everyKnownValueIsASeriesAndEveryUnknownOneIsLeftOut() throws IOException {
    FleetMetadata fleet = new FleetMetadata(Fleet.EMPTY, Clock.systemUTC(), Duration.ofMinutes(10));
    fleet.replaceFromApi(api());
    String page = page(fleet);
    assertEquals(
        1.0,
        MetricsText.value(
            page,
            "sensecap_device_info",
            Map.of(
                "device_eui", ROOM,
                "device_name", "Room \"3\"\\east wing",
                "group_name", "HQ",
                "network", "LoRaWAN",
                "hardware_version", "1.0",
                "software_version", "2.3")),
        page);
    Map<String, String> room = Map.of("device_eui", ROOM);
    Map<String, String> lab = Map.of("device_eui", LAB);
    assertEquals(22.5, MetricsText.value(page, "sensecap_device_latitude_degrees", room));
    assertEquals(113.9, MetricsText.value(page, "sensecap_device_longitude_degrees", room));
    assertEquals(0.0, MetricsText.value(page, "sensecap_device_online", room));
    assertEquals(300.0, MetricsText.value(page, "sensecap_device_report_interval_seconds", room));
    assertEquals(
        1_783_650_913.511,
        MetricsText.value(page, "sensecap_device_last_uplink_timestamp_seconds", room));
    assertEquals(
        1.0,
        MetricsText.value(
            page,
            "sensecap_device_info",
            Map.of(
                "device_eui", LAB,
                "device_name", "Lab",
                "group_name", "",
                "network", "",
                "hardware_version", "",
                "software_version", "")));
    for (String name :
        new String[] {
          "sensecap_device_latitude_degrees",
          "sensecap_device_longitude_degrees",
          "sensecap_device_online",
          "sensecap_device_report_interval_seconds",
          "sensecap_device_last_uplink_timestamp_seconds"
        }) {
      assertNull(MetricsText.value(page, name, lab), name);
    }
    assertEquals(
        1.0,
        MetricsText.value(
            page, "sensecap_gateway_info", Map.of("gateway_eui", GATEWAY, "gateway_name", "Roof")));
    assertEquals(
        1.0, MetricsText.value(page, "sensecap_gateway_online", Map.of("gateway_eui", GATEWAY)));
    // The newline in the name became a space: each sample stays on its own line.
    assertTrue(page.contains("device_name=\"Room \\\"3\\\"\\\\east wing\""), page);
  }

  @Test
  void theFileWinsWhereBothGiveAFieldAndAddsDevicesTheApiDoesNotKnow() throws IOException {
    String other = "2CF7F1C0523000B1";
    Fleet manual =
        new Fleet(
            Map.of(
                ROOM,
                Device.manual(
                    ROOM, "Meeting room 3", "", OptionalDouble.of(47.37), OptionalDouble.of(8.54)),
                other,
                Device.listed(other, "", "Cellar")),
            Map.of());
    FleetMetadata fleet = new FleetMetadata(manual, Clock.systemUTC(), Duration.ofMinutes(10));
    String before = page(fleet);
    assertEquals(
        47.37,
        MetricsText.value(before, "sensecap_device_latitude_degrees", Map.of("device_eui", ROOM)),
        "the file's metadata is shown before the API answers");
    fleet.replaceFromApi(api());
    String page = page(fleet);
    assertEquals(
        1.0,
        MetricsText.value(
            page,
            "sensecap_device_info",
            Map.of(
                "device_eui", ROOM,
                "device_name", "Meeting room 3",
                "group_name", "HQ",
                "network", "LoRaWAN",
                "hardware_version", "1.0",
                "software_version", "2.3")),
        page);
    assertEquals(
        8.54,
        MetricsText.value(page, "sensecap_device_longitude_degrees", Map.of("device_eui", ROOM)));
    assertEquals(
        1.0,
        MetricsText.value(
            page,
            "sensecap_device_info",
            Map.of(
                "device_eui", other,
                "device_name", "",
                "group_name", "Cellar",
                "network", "",
                "hardware_version", "",
                "software_version", "")));
  }

  @Test
  void labelValuesAreBounded() throws IOException {
    FleetMetadata fleet =
        new FleetMetadata(
            new Fleet(Map.of(ROOM, Device.listed(ROOM, "n".repeat(10_000), "")), Map.of()),
            Clock.systemUTC(),
            Duration.ofMinutes(10));
    String page = page(fleet);
    assertTrue(page.contains("device_name=\"" + "n".repeat(Fleet.MAX_LABEL_CHARS) + "\""));
    assertFalse(page.contains("n".repeat(Fleet.MAX_LABEL_CHARS + 1)));
  }
}
