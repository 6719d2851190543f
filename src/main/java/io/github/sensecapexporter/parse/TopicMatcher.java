package io.github.sensecapexporter.parse;

import java.util.List;

/**
 * Whether a topic name matches one of the subscribed topic filters, as MQTT 3.1.1 defines it
 * (section 4.7): a broker must deliver nothing else, so anything else is a broker's mistake or an
 * attack, such as another organisation's data, and is not served. A shared subscription's {@code
 * $share/<group>/} prefix is not part of the filter it matches with.
 */
public final class TopicMatcher {
  private static final String SHARE_PREFIX = "$share/";

  private final String[] filters;

  public TopicMatcher(List<String> topicFilters) {
    this.filters = topicFilters.stream().map(TopicMatcher::withoutShare).toArray(String[]::new);
  }

  public boolean matches(String topic) {
    for (String filter : filters) {
      if (matches(filter, topic)) {
        return true;
      }
    }
    return false;
  }

  private static String withoutShare(String filter) {
    if (!filter.startsWith(SHARE_PREFIX)) {
      return filter;
    }
    return filter.substring(filter.indexOf('/', SHARE_PREFIX.length()) + 1);
  }

  static boolean matches(String filter, String topic) {
    // Wildcards at the first level do not match topics starting with $ (such as $SYS).
    if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
      return false;
    }
    int f = 0;
    int t = 0;
    while (true) {
      int filterEnd = levelEnd(filter, f);
      if (filterEnd - f == 1 && filter.charAt(f) == '#') {
        return true;
      }
      int topicEnd = levelEnd(topic, t);
      boolean anyLevel = filterEnd - f == 1 && filter.charAt(f) == '+';
      if (!anyLevel
          && (filterEnd - f != topicEnd - t || !filter.regionMatches(f, topic, t, filterEnd - f))) {
        return false;
      }
      boolean filterDone = filterEnd == filter.length();
      boolean topicDone = topicEnd == topic.length();
      if (filterDone || topicDone) {
        // "a/#" matches "a" too: the parent level of a multi-level wildcard.
        return filterDone == topicDone
            || (topicDone
                && filter.startsWith("#", filterEnd + 1)
                && filterEnd + 2 == filter.length());
      }
      f = filterEnd + 1;
      t = topicEnd + 1;
    }
  }

  private static int levelEnd(String text, int start) {
    int slash = text.indexOf('/', start);
    return slash < 0 ? text.length() : slash;
  }
}
