package io.github.sensecapexporter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.stream.Collectors;
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
          "mqtt-connect"
        }) {
      assertEquals(ThreadKind.MQTT, ThreadKind.of(name), name);
    }
  }

  @Test
  void theRestByName() {
    assertEquals(ThreadKind.HTTP, ThreadKind.of("http"));
    assertEquals(ThreadKind.HTTP, ThreadKind.of("HTTP-Dispatcher"));
    assertEquals(ThreadKind.HOUSEKEEPING, ThreadKind.of("housekeeping"));
    assertEquals(ThreadKind.API, ThreadKind.of("api-poller"));
    assertEquals(ThreadKind.API, ThreadKind.of("api-http"));
    assertEquals(ThreadKind.OTHER, ThreadKind.of("demo-fleet"));
    assertEquals(ThreadKind.OTHER, ThreadKind.of("main"));
    assertEquals(ThreadKind.OTHER, ThreadKind.of("MQTTish"));
  }

  @Test
  void theJdkHttpServersOwnThreadsAreHttp() throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    // The request and response time limits, which start the server's second timer, are set for
    // every test (pom.xml), as the exporter sets them.
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.start();
    try {
      Set<String> started =
          Thread.getAllStackTraces().keySet().stream()
              .filter(thread -> !before.contains(thread))
              .map(Thread::getName)
              .collect(Collectors.toSet());
      assertTrue(
          started.containsAll(
              Set.of("HTTP-Dispatcher", "idle-timeout-task", "req-rsp-timeout-task")),
          started.toString());
      for (String name : Set.of("HTTP-Dispatcher", "idle-timeout-task", "req-rsp-timeout-task")) {
        assertEquals(ThreadKind.HTTP, ThreadKind.of(name), name);
      }
    } finally {
      server.stop(0);
    }
  }
}
