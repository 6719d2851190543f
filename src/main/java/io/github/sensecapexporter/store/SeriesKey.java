package io.github.sensecapexporter.store;

import io.github.sensecapexporter.parse.Topic;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Identifies one series: the labels of a measurement, or of a device status (channel and sensor
 * empty).
 *
 * <p>The four label values are kept as one UTF-8 array, {@code device/channel/sensor/id}, the way
 * they stand in the topic, whose levels never hold a '/'. A million series then cost one small
 * array each instead of four strings, and a scrape copies the bytes without decoding them.
 *
 * <p>The store keeps each series as a subclass that carries its latest sample as well: one object a
 * series instead of two.
 */
public sealed class SeriesKey permits SeriesStore.Series {
  private static final byte SEPARATOR = '/';
  private static final int LABELS = 4;

  private final Topic.Kind kind;
  private final byte[] labels;
  private final int hash;

  /**
   * @throws IllegalArgumentException when a label value holds a '/', which no topic level can
   */
  public SeriesKey(Topic.Kind kind, String deviceEui, String channel, String sensorEui, String id) {
    for (String value : new String[] {deviceEui, channel, sensorEui, id}) {
      if (value.indexOf(SEPARATOR) >= 0) {
        throw new IllegalArgumentException("label value holds a '/': " + value);
      }
    }
    this.kind = kind;
    this.labels =
        String.join("/", deviceEui, channel, sensorEui, id).getBytes(StandardCharsets.UTF_8);
    this.hash = 31 * Arrays.hashCode(labels) + kind.ordinal();
  }

  /** The same key, for a subclass: the label array is shared, never copied. */
  SeriesKey(SeriesKey key) {
    this.kind = key.kind;
    this.labels = key.labels;
    this.hash = key.hash;
  }

  public static SeriesKey of(Topic topic) {
    return new SeriesKey(
        topic.kind(), topic.deviceEui(), topic.channel(), topic.sensorEui(), topic.id());
  }

  public Topic.Kind kind() {
    return kind;
  }

  public String deviceEui() {
    return label(0);
  }

  public String channel() {
    return label(1);
  }

  public String sensorEui() {
    return label(2);
  }

  public String id() {
    return label(3);
  }

  /**
   * The label values as UTF-8, {@code device/channel/sensor/id}, for writers that copy them without
   * decoding. The array is the key's own: read it, never change it.
   */
  public byte[] encodedLabels() {
    return labels;
  }

  /** Where the device EUI, the first label value, ends in {@link #encodedLabels()}. */
  public int deviceEuiEnd() {
    return indexOfSeparator(0);
  }

  /**
   * Where the measurement or status ID, the last label value, starts in {@link #encodedLabels()}.
   */
  public int idStart() {
    int i = labels.length;
    while (labels[i - 1] != SEPARATOR) {
      i--;
    }
    return i;
  }

  private String label(int index) {
    int start = 0;
    for (int i = 0; i < index; i++) {
      start = indexOfSeparator(start) + 1;
    }
    int end = index == LABELS - 1 ? labels.length : indexOfSeparator(start);
    return new String(labels, start, end - start, StandardCharsets.UTF_8);
  }

  private int indexOfSeparator(int from) {
    int i = from;
    while (labels[i] != SEPARATOR) {
      i++;
    }
    return i;
  }

  /** Equal to any key of the same labels, whether it carries a sample or not. */
  @Override
  public final boolean equals(Object other) {
    return other instanceof SeriesKey key
        && hash == key.hash
        && kind == key.kind
        && Arrays.equals(labels, key.labels);
  }

  @Override
  public final int hashCode() {
    return hash;
  }

  @Override
  public final String toString() {
    return kind + "[" + new String(labels, StandardCharsets.UTF_8) + "]";
  }
}
