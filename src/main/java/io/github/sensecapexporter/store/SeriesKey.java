package io.github.sensecapexporter.store;

import io.github.sensecapexporter.parse.Topic;

/**
 * Identifies one series: the labels of a measurement, or of a device status (channel and sensor
 * empty).
 */
public record SeriesKey(
    Topic.Kind kind, String deviceEui, String channel, String sensorEui, String id) {

  public static SeriesKey of(Topic topic) {
    return new SeriesKey(
        topic.kind(), topic.deviceEui(), topic.channel(), topic.sensorEui(), topic.id());
  }
}
