package io.github.sensecapexporter.collector;

import static io.github.sensecapexporter.collector.Gauge.DEVICE;
import static io.github.sensecapexporter.collector.Gauge.LABELS_END;

import io.github.sensecapexporter.fleet.Fleet;
import io.github.sensecapexporter.parse.Topic;
import io.github.sensecapexporter.store.SeriesKey;
import io.github.sensecapexporter.store.SeriesStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Writes the store as gauges in the Prometheus text format, fresh on every scrape, leaving out
 * expired series and giving no sample timestamps, then the fleet's metadata ({@link
 * FleetExposition}). Knows nothing about HTTP.
 *
 * <p>It streams: each family of series is one pass over the store that copies label bytes and
 * numbers into the output, so a scrape of a large fleet builds no sample objects and no page-sized
 * buffer. The lines are the same in the text format and in OpenMetrics.
 */
public final class SeriesExposition {
  private static final String UNKNOWN_NAME = "unknown";

  private static final Gauge MEASUREMENT_VALUE =
      new Gauge(
          "sensecap_measurement_value",
          "Latest value of a SenseCAP measurement, in the unit of sensecap_measurement_info.");
  private static final Gauge DEVICE_MEASUREMENT_TIME =
      new Gauge(
          "sensecap_device_last_measurement_timestamp_seconds",
          "When the newest measurement of a SenseCAP device was measured, in seconds since the"
              + " epoch: the latest timestamp among its measurement series.");
  private static final Gauge STATUS_VALUE =
      new Gauge(
          "sensecap_device_status_value",
          "Latest value of a SenseCAP device status (3000 is the battery level in percent).");
  private static final Gauge STATUS_TIME =
      new Gauge(
          "sensecap_device_status_timestamp_seconds",
          "When the latest device status was measured, in seconds since the epoch.");
  private static final Gauge INFO =
      new Gauge(
          "sensecap_measurement_info",
          "Name and unit of each measurement ID present; the value is always 1.");
  private static final Gauge SERIES =
      new Gauge(
          "sensecap_exporter_series",
          "Series served on /metrics (measurements and device statuses).");
  private static final Gauge SERIES_LIMIT =
      new Gauge(
          "sensecap_exporter_series_limit",
          "sensecap.series.max-series: new series beyond it are dropped.");

  private static final byte[] CHANNEL = TextOutput.utf8("\",channel=\"");
  private static final byte[] SENSOR = TextOutput.utf8("\",sensor_eui=\"");
  private static final byte[] MEASUREMENT_ID = TextOutput.utf8("\",measurement_id=\"");
  private static final byte[] STATUS_ID = TextOutput.utf8("\",status_id=\"");
  private static final byte[] INFO_ID = TextOutput.utf8("{measurement_id=\"");
  private static final byte[] INFO_NAME = TextOutput.utf8("\",name=\"");
  private static final byte[] INFO_UNIT = TextOutput.utf8("\",unit=\"");
  private static final byte[] NO_LABELS = TextOutput.utf8(" ");

  private final SeriesStore store;
  private final MeasurementCatalogue catalogue;
  private final Supplier<Fleet> fleet;

  /** {@code fleet} gives the metadata snapshot to show, read once per scrape. */
  public SeriesExposition(
      SeriesStore store, MeasurementCatalogue catalogue, Supplier<Fleet> fleet) {
    this.store = store;
    this.catalogue = catalogue;
    this.fleet = fleet;
  }

  /** Writes the labels and the value of one sample line. */
  private interface LineWriter {
    void write(TextOutput out, SeriesKey key, double value, long timestampMillis)
        throws IOException;
  }

  /**
   * Writes every family. Whatever goes wrong, from {@code stream} or from here, is thrown: the page
   * is then unfinished, possibly mid-line, and the caller must not pass it off as complete.
   */
  public void writeTo(OutputStream stream) throws IOException {
    TextOutput out = new TextOutput(stream);
    LabelTable measurementIds = new LabelTable(LabelTable.Label.ID);
    LabelTable deviceTimes = new LabelTable(LabelTable.Label.DEVICE_EUI);
    int live =
        writeFamily(
            out,
            MEASUREMENT_VALUE,
            Topic.Kind.MEASUREMENT,
            (o, key, value, timestampMillis) -> {
              measurementLabels(o, key);
              o.value(value);
              measurementIds.add(key, timestampMillis);
              deviceTimes.add(key, timestampMillis);
            });
    writeDeviceTimes(out, deviceTimes);
    live +=
        writeFamily(
            out,
            STATUS_VALUE,
            Topic.Kind.STATUS,
            (o, key, value, timestampMillis) -> {
              statusLabels(o, key);
              o.value(value);
            });
    writeFamily(
        out,
        STATUS_TIME,
        Topic.Kind.STATUS,
        (o, key, value, timestampMillis) -> {
          statusLabels(o, key);
          o.millisAsSeconds(timestampMillis);
        });
    writeInfo(out, measurementIds);
    writeSingle(out, SERIES, live);
    writeSingle(out, SERIES_LIMIT, store.maxSeries());
    FleetExposition.write(out, fleet.get());
    out.flush();
  }

  /** Writes one family's lines for the live series of {@code kind}; returns how many. */
  private int writeFamily(TextOutput out, Gauge gauge, Topic.Kind kind, LineWriter line)
      throws IOException {
    out.write(gauge.header());
    int[] count = {0};
    try {
      store.forEachLive(
          (key, value, timestampMillis, receivedMillis) -> {
            if (key.kind() != kind) {
              return;
            }
            try {
              out.write(gauge.name());
              line.write(out, key, value, timestampMillis);
              out.write('\n');
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            count[0]++;
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return count[0];
  }

  /** {@code {device_eui="…",channel="…",sensor_eui="…",measurement_id="…"} } */
  private static void measurementLabels(TextOutput out, SeriesKey key) throws IOException {
    byte[] labels = key.encodedLabels();
    int channel = next(labels, 0);
    int sensor = next(labels, channel);
    int id = next(labels, sensor);
    out.write(DEVICE);
    out.labelValue(labels, 0, channel - 1);
    out.write(CHANNEL);
    out.labelValue(labels, channel, sensor - 1 - channel);
    out.write(SENSOR);
    out.labelValue(labels, sensor, id - 1 - sensor);
    out.write(MEASUREMENT_ID);
    out.labelValue(labels, id, labels.length - id);
    out.write(LABELS_END);
  }

  /** {@code {device_eui="…",status_id="…"} } */
  private static void statusLabels(TextOutput out, SeriesKey key) throws IOException {
    byte[] labels = key.encodedLabels();
    int channel = next(labels, 0);
    int id = next(labels, next(labels, channel));
    out.write(DEVICE);
    out.labelValue(labels, 0, channel - 1);
    out.write(STATUS_ID);
    out.labelValue(labels, id, labels.length - id);
    out.write(LABELS_END);
  }

  /** Where the label value after the one starting at {@code from} starts. */
  private static int next(byte[] labels, int from) {
    int i = from;
    while (labels[i] != '/') {
      i++;
    }
    return i + 1;
  }

  /**
   * One timestamp per device rather than per series: it answers what the alerts and dashboards ask
   * (is the device still sending?) at a fraction of the lines, and of the series Prometheus keeps.
   */
  private static void writeDeviceTimes(TextOutput out, LabelTable deviceTimes) throws IOException {
    out.write(DEVICE_MEASUREMENT_TIME.header());
    deviceTimes.forEach(
        (labels, offset, length, newestMillis) -> {
          out.write(DEVICE_MEASUREMENT_TIME.name());
          out.write(DEVICE);
          out.labelValue(labels, offset, length);
          out.write(LABELS_END);
          out.millisAsSeconds(newestMillis);
          out.write('\n');
        });
  }

  private void writeInfo(TextOutput out, LabelTable measurementIds) throws IOException {
    out.write(INFO.header());
    measurementIds.forEach(
        (labels, offset, length, newestMillis) -> {
          String id = new String(labels, offset, length, StandardCharsets.UTF_8);
          MeasurementCatalogue.Entry entry = catalogue.lookup(id);
          out.write(INFO.name());
          out.write(INFO_ID);
          out.labelValue(id);
          out.write(INFO_NAME);
          out.labelValue(entry == null ? UNKNOWN_NAME : entry.name());
          out.write(INFO_UNIT);
          out.labelValue(entry == null ? "" : entry.unit());
          out.write(LABELS_END);
          out.write('1');
          out.write('\n');
        });
  }

  private static void writeSingle(TextOutput out, Gauge gauge, long value) throws IOException {
    out.write(gauge.header());
    out.write(gauge.name());
    out.write(NO_LABELS);
    out.integer(value);
    out.write('\n');
  }
}
