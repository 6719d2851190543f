package io.github.sensecapexporter.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.fleet.Fleet;
import io.github.sensecapexporter.parse.Topic;
import io.github.sensecapexporter.store.SeriesKey;
import io.github.sensecapexporter.store.SeriesStore;
import io.github.sensecapexporter.testing.MetricsText;
import io.github.sensecapexporter.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SeriesExpositionTest {
  private static final String[] MEASUREMENT_LABELS = {
    "device_eui", "channel", "sensor_eui", "measurement_id"
  };
  private static final String DEVICE = "2CF7F1C04430065C";

  private MutableClock clock;
  private SeriesStore store;
  private SeriesExposition exposition;

  @BeforeEach
  void setUp() {
    clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
    store = new SeriesStore(clock, Duration.ofHours(26), 100);
    exposition = new SeriesExposition(store, MeasurementCatalogue.bundled(), () -> Fleet.EMPTY);
  }

  private String page() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      exposition.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The value of a sample, as a scraper reads it from the page; null when it is absent. */
  private Double sample(String metric, String[] labels, String[] values) {
    Map<String, String> labelMap = new LinkedHashMap<>();
    for (int i = 0; i < labels.length; i++) {
      labelMap.put(labels[i], values[i]);
    }
    return MetricsText.value(page(), metric, labelMap);
  }

  private Double deviceTime(String device) {
    return sample(
        "sensecap_device_last_measurement_timestamp_seconds",
        new String[] {"device_eui"},
        new String[] {device});
  }

  private Double measurement(String metric, String channel, String sensor, String id) {
    return sample(metric, MEASUREMENT_LABELS, new String[] {DEVICE, channel, sensor, id});
  }

  @Nested
  class Measurements {
    @Test
    void servesTheValue() {
      store.update(
          new SeriesKey(Topic.Kind.MEASUREMENT, DEVICE, "1", "vs", "4097"),
          23.5,
          1_759_186_369_000L);

      assertEquals(23.5, measurement("sensecap_measurement_value", "1", "vs", "4097"));
    }

    @Test
    void servesEachDevicesNewestMeasurementTimeInSeconds() {
      store.update(
          new SeriesKey(Topic.Kind.MEASUREMENT, DEVICE, "1", "vs", "4097"), 1, 1_759_186_369_000L);
      store.update(
          new SeriesKey(Topic.Kind.MEASUREMENT, DEVICE, "2", "vs", "4097"), 2, 1_759_186_370_000L);
      store.update(
          new SeriesKey(Topic.Kind.MEASUREMENT, "2CF7F1C04430065D", "1", "vs", "4097"),
          3,
          1_759_186_000_000L);
      // A status is not a measurement: a newer battery report leaves the time alone.
      store.update(
          new SeriesKey(Topic.Kind.STATUS, DEVICE, "", "", "3000"), 87, 1_759_186_999_000L);

      assertEquals(1_759_186_370.0, deviceTime(DEVICE));
      assertEquals(1_759_186_000.0, deviceTime("2CF7F1C04430065D"));
    }

    @Test
    void servesOneNewestTimePerDeviceAndEachIdOnceInALargeFleet() {
      store = new SeriesStore(clock, Duration.ofHours(26), 10_000);
      exposition = new SeriesExposition(store, MeasurementCatalogue.bundled(), () -> Fleet.EMPTY);
      int devices = 1_000;
      String[] ids = {"4097", "4098", "4099"};
      for (int d = 0; d < devices; d++) {
        for (int i = 0; i < ids.length; i++) {
          // Each device's newest reading is a different ID's, turn by turn.
          long millis = 1_000_000L * d + 1_000L * ((d + i) % ids.length);
          store.update(
              new SeriesKey(Topic.Kind.MEASUREMENT, fleetDevice(d), "1", "vs", ids[i]), i, millis);
        }
      }
      String page = page();

      for (int d = 0; d < devices; d++) {
        assertEquals(
            1_000.0 * d + 2,
            MetricsText.value(
                page,
                "sensecap_device_last_measurement_timestamp_seconds",
                Map.of("device_eui", fleetDevice(d))),
            fleetDevice(d));
      }
      assertEquals(devices, lines(page, "sensecap_device_last_measurement_timestamp_seconds{"));
      assertEquals(ids.length, lines(page, "sensecap_measurement_info{"));
    }

    private static String fleetDevice(int index) {
      return String.format("2CF7F1C0%08X", index);
    }

    private static long lines(String page, String start) {
      return page.lines().filter(line -> line.startsWith(start)).count();
    }

    @Test
    void givesNoDeviceTimeForADeviceWithOnlyStatuses() {
      store.update(new SeriesKey(Topic.Kind.STATUS, DEVICE, "", "", "3000"), 87, 1_000);
      assertNull(deviceTime(DEVICE));
    }

    @Test
    void keepsTheSensorEuiFormOfTheFifthLevel() {
      store.update(
          new SeriesKey(Topic.Kind.MEASUREMENT, DEVICE, "32", "2CF7F13003900007", "4111"),
          7.19,
          1_000);
      assertEquals(
          7.19, measurement("sensecap_measurement_value", "32", "2CF7F13003900007", "4111"));
    }

    @Test
    void leavesOutExpiredSeries() {
      store.update(new SeriesKey(Topic.Kind.MEASUREMENT, DEVICE, "1", "vs", "4097"), 23.5, 1_000);
      clock.advance(Duration.ofHours(26).plusSeconds(1));
      assertNull(measurement("sensecap_measurement_value", "1", "vs", "4097"));
      assertEquals(0.0, MetricsText.value(page(), "sensecap_exporter_series"));
    }
  }

  @Nested
  class Statuses {
    @Test
    void servesDeviceStatusByStatusId() {
      store.update(new SeriesKey(Topic.Kind.STATUS, DEVICE, "", "", "3000"), 87, 2_000);
      String[] labels = {"device_eui", "status_id"};
      String[] values = {DEVICE, "3000"};
      assertEquals(87.0, sample("sensecap_device_status_value", labels, values));
      assertEquals(2.0, sample("sensecap_device_status_timestamp_seconds", labels, values));
    }
  }

  @Nested
  class Info {
    private final String[] labels = {"measurement_id", "name", "unit"};

    @Test
    void namesEveryMeasurementPresentFromTheCatalogue() {
      store.update(new SeriesKey(Topic.Kind.MEASUREMENT, DEVICE, "1", "vs", "4097"), 23.5, 1_000);
      store.update(new SeriesKey(Topic.Kind.MEASUREMENT, DEVICE, "1", "vs", "4100"), 800, 1_000);

      assertEquals(
          1.0,
          sample(
              "sensecap_measurement_info", labels, new String[] {"4097", "Air Temperature", "℃"}));
      assertEquals(
          1.0, sample("sensecap_measurement_info", labels, new String[] {"4100", "CO2", "ppm"}));
    }

    @Test
    void marksUnknownIdsAsUnknown() {
      store.update(new SeriesKey(Topic.Kind.MEASUREMENT, DEVICE, "1", "vs", "9999"), 1, 1_000);
      assertEquals(
          1.0, sample("sensecap_measurement_info", labels, new String[] {"9999", "unknown", ""}));
    }

    @Test
    void omitsMeasurementsNotPresent() {
      assertNull(
          sample(
              "sensecap_measurement_info", labels, new String[] {"4097", "Air Temperature", "℃"}));
    }
  }

  @Nested
  class Counts {
    @Test
    void servesTheSeriesCountAndTheLimit() {
      store.update(new SeriesKey(Topic.Kind.MEASUREMENT, DEVICE, "1", "vs", "4097"), 23.5, 1_000);
      store.update(new SeriesKey(Topic.Kind.STATUS, DEVICE, "", "", "3000"), 87, 1_000);
      assertEquals(2.0, MetricsText.value(page(), "sensecap_exporter_series"));
      assertEquals(100.0, MetricsText.value(page(), "sensecap_exporter_series_limit"));
    }
  }

  @Nested
  class Exposition {
    @Test
    void givesNoSampleTimestamps() {
      store.update(new SeriesKey(Topic.Kind.MEASUREMENT, DEVICE, "1", "vs", "4097"), 23.5, 1_000);
      store.update(new SeriesKey(Topic.Kind.STATUS, DEVICE, "", "", "3000"), 87, 1_000);
      for (String line : page().split("\n")) {
        if (!line.startsWith("#")) {
          // name{labels} value, or name value: nothing after the value
          String afterLabels = line.substring(line.lastIndexOf('}') + 1).trim();
          assertEquals(line.contains("}") ? 1 : 2, afterLabels.split(" ").length, line);
        }
      }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
      "23.5, 23.5",
      "-3, -3",
      "0, 0",
      "1e300, 1.0E300",
      "-1e-300, -1.0E-300",
      "123456789012345, 123456789012345",
      "1e15, 1.0E15",
    })
    void writesValuesAsPrometheusReadsThem(double value, String written) {
      store.update(new SeriesKey(Topic.Kind.MEASUREMENT, DEVICE, "1", "vs", "4097"), value, 1_000);
      assertTrue(
          page().contains(",measurement_id=\"4097\"} " + written + "\n"),
          () -> value + " not written as " + written + ":\n" + page());
      assertEquals(value, measurement("sensecap_measurement_value", "1", "vs", "4097"));
    }

    @ParameterizedTest(name = "{0} ms")
    @CsvSource({
      "1759186369000, 1759186369",
      "1759186369500, 1759186369.5",
      "1759186369050, 1759186369.05",
      "1759186369001, 1759186369.001",
      "0, 0",
      "999, 0.999",
    })
    void writesTimestampsInSecondsWithTheFractionNeeded(long millis, String written) {
      store.update(new SeriesKey(Topic.Kind.MEASUREMENT, DEVICE, "1", "vs", "4097"), 1, millis);
      assertTrue(
          page()
              .contains(
                  "sensecap_device_last_measurement_timestamp_seconds{device_eui=\""
                      + DEVICE
                      + "\"} "
                      + written
                      + "\n"),
          page());
    }

    @Test
    void escapesLabelValues() {
      String hostile = "a\"b\\c\nd";
      store.update(new SeriesKey(Topic.Kind.MEASUREMENT, hostile, "1", "vs", "4097"), 1, 1_000);
      store.update(new SeriesKey(Topic.Kind.STATUS, hostile, "", "", "3000"), 2, 1_000);
      assertTrue(page().contains("device_eui=\"a\\\"b\\\\c\\nd\""), page());
      assertEquals(
          1.0,
          MetricsText.value(
              page(),
              "sensecap_measurement_value",
              MetricsText.measurement(hostile, "1", "vs", "4097")));
      assertEquals(
          2.0,
          sample(
              "sensecap_device_status_value",
              new String[] {"device_eui", "status_id"},
              new String[] {hostile, "3000"}));
    }

    @Test
    void writesEveryFamilyOnceWithHelpAndType() {
      store.update(new SeriesKey(Topic.Kind.MEASUREMENT, DEVICE, "1", "vs", "4097"), 1, 1_000);
      store.update(new SeriesKey(Topic.Kind.MEASUREMENT, DEVICE, "1", "vs", "4098"), 2, 1_000);
      store.update(new SeriesKey(Topic.Kind.STATUS, DEVICE, "", "", "3000"), 87, 1_000);
      String page = page();
      for (String family :
          List.of(
              "sensecap_measurement_value",
              "sensecap_device_last_measurement_timestamp_seconds",
              "sensecap_device_status_value",
              "sensecap_device_status_timestamp_seconds",
              "sensecap_measurement_info",
              "sensecap_exporter_series",
              "sensecap_exporter_series_limit")) {
        assertEquals(1, occurrences(page, "# TYPE " + family + " gauge\n"), family);
        assertEquals(1, occurrences(page, "# HELP " + family + " "), family);
      }
    }

    @Test
    void streamsPagesLargerThanItsBuffer() {
      SeriesStore large = new SeriesStore(clock, Duration.ofHours(26), 10_000);
      for (int i = 0; i < 10_000; i++) {
        large.update(
            new SeriesKey(Topic.Kind.MEASUREMENT, DEVICE, Integer.toString(i), "vs", "4097"),
            i,
            1_000);
      }
      exposition = new SeriesExposition(large, MeasurementCatalogue.bundled(), () -> Fleet.EMPTY);
      String page = page();
      assertEquals(10_000.0, MetricsText.value(page, "sensecap_exporter_series"));
      assertEquals(9_999.0, measurement("sensecap_measurement_value", "9999", "vs", "4097"));
      assertEquals(10_000, occurrences(page, ",sensor_eui=\"vs\","));
    }

    private static int occurrences(String text, String part) {
      int count = 0;
      for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
        count++;
      }
      return count;
    }
  }
}
