package io.github.sensecapexporter.config;

import java.nio.charset.StandardCharsets;

/** Checks MQTT 3.1.1 topic filters (section 4.7), including shared subscriptions. */
public final class TopicFilters {
  private static final String SHARE_PREFIX = "$share/";
  private static final int MAX_BYTES = 65_535;

  private TopicFilters() {}

  /** Returns why the filter is not valid, or null when it is. */
  public static String problem(String filter) {
    if (filter.isEmpty()) {
      return "a topic filter must not be empty";
    }
    if (filter.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      return "a topic filter must not be longer than 65535 bytes";
    }
    if (filter.indexOf('\0') >= 0) {
      return "a topic filter must not contain NUL";
    }
    String plain = filter;
    if (filter.startsWith(SHARE_PREFIX)) {
      int slash = filter.indexOf('/', SHARE_PREFIX.length());
      if (slash < 0 || slash == SHARE_PREFIX.length() || slash == filter.length() - 1) {
        return "a shared subscription must look like $share/<group>/<filter>";
      }
      String group = filter.substring(SHARE_PREFIX.length(), slash);
      if (group.indexOf('+') >= 0 || group.indexOf('#') >= 0) {
        return "the group of a shared subscription must not contain + or #";
      }
      plain = filter.substring(slash + 1);
    }
    if (plain.startsWith("$")) {
      // Broker topics such as $SYS: no OpenStream topic starts with $, and none is taken.
      return "'" + filter + "' names a broker's own topics ($...), never an OpenStream topic";
    }
    String[] levels = plain.split("/", -1);
    for (int i = 0; i < levels.length; i++) {
      String level = levels[i];
      if (level.indexOf('#') >= 0 && (!level.equals("#") || i != levels.length - 1)) {
        return "'#' must be a whole level and the last one in '" + filter + "'";
      }
      if (level.indexOf('+') >= 0 && !level.equals("+")) {
        return "'+' must be a whole level in '" + filter + "'";
      }
    }
    return null;
  }
}
