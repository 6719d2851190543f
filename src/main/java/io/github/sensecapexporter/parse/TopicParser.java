package io.github.sensecapexporter.parse;

/**
 * Parses {@code /device_sensor_data/<org>/<device>/<channel>/<sensor>/<measurement>} and {@code
 * /device_status_event/<org>/<device>/<reserved>/<status>}. Pure, and without regular expressions:
 * it runs once per message.
 *
 * <p>Every level must be 1 to {@link #MAX_LEVEL_CHARS} printable ASCII characters other than space,
 * {@code +} and {@code #}: SenseCAP's identifiers (16 hex digits at most) fit with room to spare,
 * and since levels become label values, this bounds the memory a series can take whatever a broker
 * sends. Wildcards are never part of a topic name, only of a filter.
 */
public final class TopicParser {
  /** The longest topic level taken; longer ones make the topic invalid. */
  public static final int MAX_LEVEL_CHARS = 64;

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
      if (!isLabelText(levels[i])) {
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

  private static boolean isLabelText(String level) {
    int length = level.length();
    if (length == 0 || length > MAX_LEVEL_CHARS) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = level.charAt(i);
      if (c <= ' ' || c > '~' || c == '+' || c == '#') {
        return false;
      }
    }
    return true;
  }
}
