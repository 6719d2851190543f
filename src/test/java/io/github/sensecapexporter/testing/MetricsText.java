package io.github.sensecapexporter.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads values out of the Prometheus text format as a scraper would, labels in any order. */
public final class MetricsText {
  private MetricsText() {}

  /** The value of the sample {@code name} whose labels are exactly {@code labels}, or null. */
  public static Double value(String text, String name, Map<String, String> labels) {
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || !line.startsWith(name)) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String lineName = brace >= 0 ? line.substring(0, brace) : line.substring(0, space);
      if (!lineName.equals(name)) {
        continue;
      }
      Map<String, String> lineLabels =
          brace >= 0 ? labels(line.substring(brace + 1, line.lastIndexOf('}'))) : Map.of();
      if (lineLabels.equals(labels)) {
        return Double.parseDouble(line.substring(space + 1));
      }
    }
    return null;
  }

  public static Double value(String text, String name) {
    return value(text, name, Map.of());
  }

  private static Map<String, String> labels(String body) {
    Map<String, String> labels = new LinkedHashMap<>();
    int i = 0;
    while (i < body.length()) {
      int equals = body.indexOf('=', i);
      if (equals < 0) {
        break;
      }
      String key = body.substring(i, equals).trim();
      StringBuilder value = new StringBuilder();
      int j = equals + 2; // past ="
      while (body.charAt(j) != '"') {
        char c = body.charAt(j);
        if (c == '\\') {
          char escaped = body.charAt(++j);
          value.append(escaped == 'n' ? '\n' : escaped);
        } else {
          value.append(c);
        }
        j++;
      }
      labels.put(key, value.toString());
      i = j + 1;
      while (i < body.length() && (body.charAt(i) == ',' || body.charAt(i) == ' ')) {
        i++;
      }
    }
    return labels;
  }

  /** Labels of a measurement series. */
  public static Map<String, String> measurement(
      String deviceEui, String channel, String sensorEui, String measurementId) {
    return Map.of(
        "device_eui", deviceEui,
        "channel", channel,
        "sensor_eui", sensorEui,
        "measurement_id", measurementId);
  }
}
