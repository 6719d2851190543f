package io.github.sensecapexporter.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicParserTest {

  @Nested
  class SensorTopics {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
      // topic, device, channel, sensor, measurement
      "/device_sensor_data/521853156991/2CF7F12210400083/1/vs/4097,"
          + " 2CF7F12210400083, 1, vs, 4097",
      "/device_sensor_data/919136109862/2CF7F12212100029/1/2CF7F13003900007/4111,"
          + " 2CF7F12212100029, 1, 2CF7F13003900007, 4111",
      "/device_sensor_data/521853156991/2CF7F1C04430065C/32/vs/4102,"
          + " 2CF7F1C04430065C, 32, vs, 4102",
      "/device_sensor_data/1/2CF7F1C04430065C/32/2CF7F13003900007/3000,"
          + " 2CF7F1C04430065C, 32, 2CF7F13003900007, 3000",
    })
    void parsesMeasurementTopics(
        String topic, String device, String channel, String sensor, String measurement) {
      assertEquals(
          new Topic(Topic.Kind.MEASUREMENT, device, channel, sensor, measurement),
          TopicParser.parse(topic));
    }
  }

  @Nested
  class StatusTopics {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
      // topic, device, status
      "/device_status_event/521853156991/2CF7F12210400083/vs/3000, 2CF7F12210400083, 3000",
      "/device_status_event/521853156991/2CF7F1C04430065C/0/3009, 2CF7F1C04430065C, 3009",
      "/device_status_event/1/2CF7F1C04430065C/2CF7F13003900007/3900, 2CF7F1C04430065C, 3900",
    })
    void parsesStatusTopics(String topic, String device, String status) {
      assertEquals(new Topic(Topic.Kind.STATUS, device, "", "", status), TopicParser.parse(topic));
    }
  }

  @Nested
  class InvalidTopics {
    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(
        strings = {
          "",
          "/",
          "//",
          // missing leading slash
          "device_sensor_data/521853156991/2CF7F12210400083/1/vs/4097",
          "device_status_event/521853156991/2CF7F12210400083/vs/3000",
          "x/device_sensor_data/521853156991/2CF7F12210400083/1/vs/4097",
          "x/device_status_event/521853156991/2CF7F12210400083/vs/3000",
          " /device_sensor_data/521853156991/2CF7F12210400083/1/vs/4097",
          // empty level anywhere
          "//device_sensor_data/521853156991/2CF7F12210400083/1/vs",
          "/device_sensor_data//2CF7F12210400083/1/vs/4097",
          "/device_sensor_data/521853156991//1/vs/4097",
          "/device_sensor_data/521853156991/2CF7F12210400083//vs/4097",
          "/device_sensor_data/521853156991/2CF7F12210400083/1//4097",
          "/device_sensor_data/521853156991/2CF7F12210400083/1/vs/",
          "/device_sensor_data/521853156991/2CF7F12210400083/1/vs/4097/",
          "/device_status_event/521853156991/2CF7F12210400083/vs/",
          "/device_status_event/521853156991//vs/3000",
          "/device_status_event//2CF7F12210400083/vs/3000",
          "a//b",
          // unknown first level
          "/device_sensor_dat/521853156991/2CF7F12210400083/1/vs/4097",
          "/DEVICE_SENSOR_DATA/521853156991/2CF7F12210400083/1/vs/4097",
          "/other/521853156991/2CF7F12210400083/1/vs/4097",
          "/device_status/521853156991/2CF7F12210400083/vs/3000",
          // wrong number of levels
          "/device_sensor_data",
          "/device_sensor_data/521853156991",
          "/device_sensor_data/521853156991/2CF7F12210400083/1/4097",
          "/device_sensor_data/521853156991/2CF7F12210400083/1/vs/4097/extra",
          "/device_sensor_data/521853156991/2CF7F12210400083/1/vs/4097/extra/more",
          "/device_status_event/521853156991/2CF7F12210400083/3000",
          "/device_status_event/521853156991/2CF7F12210400083/vs/3000/extra",
          "/device_status_event/521853156991/2CF7F12210400083/vs/3000/extra/more",
          "/a/b/c/d/e/f/g/h/i/j",
          // wildcards are never part of a topic name
          "/device_sensor_data/521853156991/+/1/vs/4097",
          "/device_sensor_data/521853156991/2CF7F12210400083/1/vs/#",
          "/device_sensor_data/521853156991/2CF7F122104+0083/1/vs/4097",
          "/device_status_event/521853156991/2CF7F12210400083/#/3000",
          // characters no SenseCAP identifier has
          "/device_sensor_data/521853156991/2CF7F1221040 083/1/vs/4097",
          "/device_sensor_data/521853156991/2CF7F1221040\t083/1/vs/4097",
          "/device_sensor_data/521853156991/2CF7F1221040\u0000083/1/vs/4097",
          "/device_sensor_data/521853156991/2CF7F1C0000000FF\uFF0C/1/vs/4097",
          "/device_sensor_data/521853156991/2CF7F1C0000000FF\u00E9/1/vs/4097",
        })
    void rejects(String topic) {
      assertNull(TopicParser.parse(topic));
    }

    @Test
    void takesLevelsUpToTheBoundAndNoLonger() {
      String longest = "A".repeat(TopicParser.MAX_LEVEL_CHARS);
      Topic parsed =
          TopicParser.parse("/device_sensor_data/1/" + longest + "/" + longest + "/vs/4097");
      assertEquals(new Topic(Topic.Kind.MEASUREMENT, longest, longest, "vs", "4097"), parsed);
      assertNull(TopicParser.parse("/device_sensor_data/1/" + longest + "B/1/vs/4097"));
      assertNull(TopicParser.parse("/device_status_event/1/2CF7F1C04430065C/vs/" + longest + "1"));
    }
  }
}
