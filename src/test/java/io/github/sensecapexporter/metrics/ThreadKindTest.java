package io.github.sensecapexporter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ThreadKindTest {
  @Test
  void pahosThreadsAndOursAreMqtt() {
    for (String name :
        new String[] {
          "MQTT Rec: org-1-abc",
          "MQTT Snd: org-1-abc",
          "MQTT Call: org-1-abc",
          "MQTT Ping: org-1-abc",
          "MQTT Con: org-1-abc",
          "mqtt-connect",
          "mqtt-warm-up"
        }) {
      assertEquals(ThreadKind.MQTT, ThreadKind.of(name), name);
    }
  }

  @Test
  void theRestByName() {
    assertEquals(ThreadKind.HTTP, ThreadKind.of("http"));
    assertEquals(ThreadKind.HTTP, ThreadKind.of("HTTP-Dispatcher"));
    assertEquals(ThreadKind.HOUSEKEEPING, ThreadKind.of("housekeeping"));
    assertEquals(ThreadKind.OTHER, ThreadKind.of("demo-fleet"));
    assertEquals(ThreadKind.OTHER, ThreadKind.of("main"));
    assertEquals(ThreadKind.OTHER, ThreadKind.of("MQTTish"));
  }
}
