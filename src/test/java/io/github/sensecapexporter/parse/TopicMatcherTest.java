package io.github.sensecapexporter.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicMatcherTest {

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @CsvSource({
    // filter, topic, matches
    "/device_sensor_data/1/+/+/+/+, /device_sensor_data/1/2CF7F1C04430065C/1/vs/4097, true",
    "/device_sensor_data/1/+/+/+/+, /device_sensor_data/2/2CF7F1C04430065C/1/vs/4097, false",
    "/device_sensor_data/1/+/+/+/+, /device_sensor_data/1/2CF7F1C04430065C/1/vs, false",
    "/device_sensor_data/1/+/+/+/+, /device_sensor_data/1/2CF7F1C04430065C/1/vs/4097/x, false",
    "/device_sensor_data/1/+/+/+/+, /device_sensor_data/11/2CF7F1C04430065C/1/vs/4097, false",
    "/device_sensor_data/1/+/+/+/+, /device_sensor_data/1/2CF7F1C04430065C/1/vs/, true",
    "/device_sensor_data/+/+/+/+/+, /device_sensor_data/2/2CF7F1C04430065C/1/vs/4097, true",
    "/device_sensor_data/1/#, /device_sensor_data/1/2CF7F1C04430065C/1/vs/4097, true",
    "/device_sensor_data/1/#, /device_sensor_data/1, true",
    "/device_sensor_data/1/#, /device_sensor_data/12, false",
    "/device_sensor_data/1/#, /device_sensor_data, false",
    "#, /device_sensor_data/1/2CF7F1C04430065C/1/vs/4097, true",
    "#, $SYS/broker/uptime, false",
    "+/#, $SYS/broker/uptime, false",
    "$SYS/#, $SYS/broker/uptime, true",
    "/+/1/+/+/+/+, /device_sensor_data/1/2CF7F1C04430065C/1/vs/4097, true",
    "/device_sensor_data/1/2CF7F1C04430065C/1/vs/4097, /device_sensor_data/1/2CF7F1C04430065C/1/vs/4097, true",
    "/device_sensor_data/1/2CF7F1C04430065C/1/vs/4097, /device_sensor_data/1/2CF7F1C04430065C/1/vs/4098, false",
    "/device_sensor_data/1/2CF7F1C04430065C/1/vs/409, /device_sensor_data/1/2CF7F1C04430065C/1/vs/4097, false",
    "/#, /device_sensor_data/1/2CF7F1C04430065C/1/vs/4097, true",
    "/#, device_sensor_data, false",
    "+, a, true",
    "+, '', true",
    "+, a/b, false",
    "+, $SYS, false",
    "a/+/#, a/b, true",
    "a/+/#, a/b/c/d, true",
    "a/+/#, a, false",
    "a/+/b, a//b, true",
    "a/+, a/, true",
  })
  void matchesAsMqttDefines(String filter, String topic, boolean matches) {
    assertEquals(matches, TopicMatcher.matches(filter, topic));
  }

  @Test
  void anyFilterWillDoAndASharedSubscriptionMatchesWithoutItsPrefix() {
    TopicMatcher matcher =
        new TopicMatcher(
            List.of("$share/sensecap//device_sensor_data/1/+/+/+/+", "/device_status_event/1/#"));
    assertEquals(true, matcher.matches("/device_sensor_data/1/2CF7F1C04430065C/1/vs/4097"));
    assertEquals(true, matcher.matches("/device_status_event/1/2CF7F1C04430065C/vs/3000"));
    assertEquals(false, matcher.matches("/device_status_event/2/2CF7F1C04430065C/vs/3000"));
    assertEquals(false, matcher.matches("$share/sensecap//device_sensor_data/1/A/1/vs/4097"));
  }
}
