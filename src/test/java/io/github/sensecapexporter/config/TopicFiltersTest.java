package io.github.sensecapexporter.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicFiltersTest {

  @Nested
  class Valid {
    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(
        strings = {
          "#",
          "+",
          "/",
          "/#",
          "/+",
          "+/+",
          "/a/+/b",
          "sport/tennis/+",
          "/device_sensor_data/123/+/+/+/+",
          "/device_status_event/123/+/+/+",
          "/device_sensor_data/123/2CF7F1C0440003C9/#",
          "$share/g/topic/#",
          "$share/group/+",
          "$share/g//device_sensor_data/123/+/+/+/+",
        })
    void accepts(String filter) {
      assertNull(TopicFilters.problem(filter));
    }
  }

  @Nested
  class Invalid {
    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(
        strings = {
          "",
          "a#",
          "#/a",
          "/#/a",
          "a/#b",
          "a/+b",
          "a/b+",
          "++",
          "$share/g",
          "$share/",
          "$share//x",
          "$share/g/",
          "$share/g+/x",
          "$share/g#/x",
          "$share/g/a#",
          "$share/g/a/+b",
          "a\0b",
          "\0",
          // a broker's own topics, never OpenStream's
          "$SYS/#",
          "$queue/device_sensor_data/1/#",
          "$share/g/$SYS/#",
        })
    void rejects(String filter) {
      String problem = TopicFilters.problem(filter);
      assertNotNull(problem);
      assertFalse(problem.isBlank());
    }

    @Test
    void rejectsFilterLongerThan65535Bytes() {
      assertNotNull(TopicFilters.problem("a".repeat(65_536)));
    }

    @Test
    void acceptsFilterOf65535Bytes() {
      assertNull(TopicFilters.problem("a".repeat(65_535)));
    }
  }
}
