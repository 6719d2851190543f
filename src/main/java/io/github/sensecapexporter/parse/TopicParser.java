package io.github.sensecapexporter.parse;

/**
 * Parses {@code /device_sensor_data/<org>/<device>/<channel>/<sensor>/<measurement>} and {@code
 * /device_status_event/<org>/<device>/<reserved>/<status>}. Pure, and without regular expressions:
 * it runs once per message.
 */
public final class TopicParser {
  private static final String SENSOR_DATA = "device_sensor_data";
  private static final String STATUS_EVENT = "device_status_event";
  private static final int MAX_LEVELS = 7;

  private TopicParser() {}

  /** Returns the parsed topic, or null when the topic is not one of OpenStream's shapes. */
  public static Topic parse(String topic) {
    String[] levels = new String[MAX_LEVELS];
    int count = 0;
    int start = 0;
    while (true) {
      int slash = topic.indexOf('/', start);
      int end = slash < 0 ? topic.length() : slash;
      if (count == MAX_LEVELS) {
        return null;
      }
      levels[count++] = topic.substring(start, end);
      if (slash < 0) {
        break;
      }
      start = slash + 1;
    }
    // The leading '/' makes the first level empty; every other level must hold something.
    if (count < 2 || !levels[0].isEmpty()) {
      return null;
    }
    for (int i = 1; i < count; i++) {
      if (levels[i].isEmpty()) {
        return null;
      }
    }
    if (count == 7 && levels[1].equals(SENSOR_DATA)) {
      return new Topic(Topic.Kind.MEASUREMENT, levels[3], levels[4], levels[5], levels[6]);
    }
    if (count == 6 && levels[1].equals(STATUS_EVENT)) {
      return new Topic(Topic.Kind.STATUS, levels[3], "", "", levels[5]);
    }
    return null;
  }
}
