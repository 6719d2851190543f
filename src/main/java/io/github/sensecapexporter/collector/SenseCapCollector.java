package io.github.sensecapexporter.collector;

import io.github.sensecapexporter.parse.Topic;
import io.github.sensecapexporter.store.SeriesStore;
import io.prometheus.client.Collector;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns the store into metric families, fresh on every scrape, leaving out expired series and
 * giving no sample timestamps. Knows nothing about HTTP.
 */
public final class SenseCapCollector extends Collector {
  private static final Logger LOG = Logger.getLogger(SenseCapCollector.class.getName());
  private static final List<String> MEASUREMENT_LABELS =
      List.of("device_eui", "channel", "sensor_eui", "measurement_id");
  private static final List<String> STATUS_LABELS = List.of("device_eui", "status_id");
  private static final String UNKNOWN_NAME = "unknown";

  private final SeriesStore store;
  private final MeasurementCatalogue catalogue;

  public SenseCapCollector(SeriesStore store, MeasurementCatalogue catalogue) {
    this.store = store;
    this.catalogue = catalogue;
  }

  @Override
  public List<MetricFamilySamples> collect() {
    GaugeMetricFamily measurementValue =
        new GaugeMetricFamily(
            "sensecap_measurement_value",
            "Latest value of a SenseCAP measurement, in the unit of sensecap_measurement_info.",
            MEASUREMENT_LABELS);
    GaugeMetricFamily measurementTime =
        new GaugeMetricFamily(
            "sensecap_measurement_timestamp_seconds",
            "When the latest value of a SenseCAP measurement was measured, in seconds since the epoch.",
            MEASUREMENT_LABELS);
    GaugeMetricFamily statusValue =
        new GaugeMetricFamily(
            "sensecap_device_status_value",
            "Latest value of a SenseCAP device status (3000 is the battery level in percent).",
            STATUS_LABELS);
    GaugeMetricFamily statusTime =
        new GaugeMetricFamily(
            "sensecap_device_status_timestamp_seconds",
            "When the latest device status was measured, in seconds since the epoch.",
            STATUS_LABELS);
    GaugeMetricFamily info =
        new GaugeMetricFamily(
            "sensecap_measurement_info",
            "Name and unit of each measurement ID present; the value is always 1.",
            List.of("measurement_id", "name", "unit"));
    Set<String> measurementIds = new HashSet<>();
    int[] live = new int[1];
    try {
      store.forEachLive(
          (key, sample) -> {
            live[0]++;
            double seconds = sample.timestampMillis() / 1000.0;
            if (key.kind() == Topic.Kind.MEASUREMENT) {
              List<String> labels =
                  List.of(key.deviceEui(), key.channel(), key.sensorEui(), key.id());
              measurementValue.addMetric(labels, sample.value());
              measurementTime.addMetric(labels, seconds);
              measurementIds.add(key.id());
            } else {
              List<String> labels = List.of(key.deviceEui(), key.id());
              statusValue.addMetric(labels, sample.value());
              statusTime.addMetric(labels, seconds);
            }
          });
      for (String id : measurementIds) {
        MeasurementCatalogue.Entry entry = catalogue.lookup(id);
        info.addMetric(
            List.of(
                id, entry == null ? UNKNOWN_NAME : entry.name(), entry == null ? "" : entry.unit()),
            1);
      }
    } catch (RuntimeException e) {
      // A scrape must never fail: serve what was gathered and say why the rest is missing.
      LOG.log(Level.WARNING, "scrape incomplete: " + e, e);
    }
    List<MetricFamilySamples> families = new ArrayList<>();
    families.add(measurementValue);
    families.add(measurementTime);
    families.add(statusValue);
    families.add(statusTime);
    families.add(info);
    families.add(
        new GaugeMetricFamily(
            "sensecap_exporter_series",
            "Series served on /metrics (measurements and device statuses).",
            live[0]));
    families.add(
        new GaugeMetricFamily(
            "sensecap_exporter_series_limit",
            "sensecap.series.max-series: new series beyond it are dropped.",
            store.maxSeries()));
    return families;
  }
}
