package io.github.sensecapexporter.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.sensecapexporter.parse.Topic;
import io.github.sensecapexporter.store.SeriesKey;
import io.github.sensecapexporter.store.SeriesStore;
import io.github.sensecapexporter.testing.MutableClock;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SenseCapCollectorTest {
  private static final String[] MEASUREMENT_LABELS = {
    "device_eui", "channel", "sensor_eui", "measurement_id"
  };
  private static final String DEVICE = "2CF7F1C04430065C";

  private MutableClock clock;
  private SeriesStore store;
  private CollectorRegistry registry;

  @BeforeEach
  void setUp() {
    clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
    store = new SeriesStore(clock, Duration.ofHours(26), 100);
    registry = new CollectorRegistry();
    new SenseCapCollector(store, MeasurementCatalogue.bundled()).register(registry);
  }

  private Double measurement(String metric, String channel, String sensor, String id) {
    return registry.getSampleValue(
        metric, MEASUREMENT_LABELS, new String[] {DEVICE, channel, sensor, id});
  }

  @Nested
  class Measurements {
    @Test
    void servesTheValueAndItsTimestampInSeconds() {
      store.update(
          new SeriesKey(Topic.Kind.MEASUREMENT, DEVICE, "1", "vs", "4097"),
          23.5,
          1_759_186_369_000L);

      assertEquals(23.5, measurement("sensecap_measurement_value", "1", "vs", "4097"));
      assertEquals(
          1_759_186_369.0,
          measurement("sensecap_measurement_timestamp_seconds", "1", "vs", "4097"));
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
      assertEquals(0.0, registry.getSampleValue("sensecap_exporter_series"));
    }
  }

  @Nested
  class Statuses {
    @Test
    void servesDeviceStatusByStatusId() {
      store.update(new SeriesKey(Topic.Kind.STATUS, DEVICE, "", "", "3000"), 87, 2_000);
      String[] labels = {"device_eui", "status_id"};
      String[] values = {DEVICE, "3000"};
      assertEquals(87.0, registry.getSampleValue("sensecap_device_status_value", labels, values));
      assertEquals(
          2.0, registry.getSampleValue("sensecap_device_status_timestamp_seconds", labels, values));
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
          registry.getSampleValue(
              "sensecap_measurement_info", labels, new String[] {"4097", "Air Temperature", "℃"}));
      assertEquals(
          1.0,
          registry.getSampleValue(
              "sensecap_measurement_info", labels, new String[] {"4100", "CO2", "ppm"}));
    }

    @Test
    void marksUnknownIdsAsUnknown() {
      store.update(new SeriesKey(Topic.Kind.MEASUREMENT, DEVICE, "1", "vs", "9999"), 1, 1_000);
      assertEquals(
          1.0,
          registry.getSampleValue(
              "sensecap_measurement_info", labels, new String[] {"9999", "unknown", ""}));
    }

    @Test
    void omitsMeasurementsNotPresent() {
      assertNull(
          registry.getSampleValue(
              "sensecap_measurement_info", labels, new String[] {"4097", "Air Temperature", "℃"}));
    }
  }

  @Nested
  class Counts {
    @Test
    void servesTheSeriesCountAndTheLimit() {
      store.update(new SeriesKey(Topic.Kind.MEASUREMENT, DEVICE, "1", "vs", "4097"), 23.5, 1_000);
      store.update(new SeriesKey(Topic.Kind.STATUS, DEVICE, "", "", "3000"), 87, 1_000);
      assertEquals(2.0, registry.getSampleValue("sensecap_exporter_series"));
      assertEquals(100.0, registry.getSampleValue("sensecap_exporter_series_limit"));
    }
  }

  @Nested
  class Exposition {
    @Test
    void givesNoSampleTimestamps() {
      store.update(new SeriesKey(Topic.Kind.MEASUREMENT, DEVICE, "1", "vs", "4097"), 23.5, 1_000);
      for (Collector.MetricFamilySamples family :
          Collections.list(registry.metricFamilySamples())) {
        for (Collector.MetricFamilySamples.Sample sample : family.samples) {
          assertNull(sample.timestampMs, sample.name);
        }
      }
    }
  }
}
