package io.github.sensecapexporter.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.Exporter;
import io.github.sensecapexporter.testing.Await;
import io.github.sensecapexporter.testing.Http;
import io.github.sensecapexporter.testing.MetricsText;
import io.github.sensecapexporter.testing.RawMqttServer;
import io.github.sensecapexporter.testing.RawMqttServer.Transport;
import io.github.sensecapexporter.testing.Scrape;
import io.github.sensecapexporter.testing.TestPki;
import io.github.sensecapexporter.testing.TestSettings;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A broker that sends what no well-behaved broker would, byte for byte, over tcp://, ssl://, ws://
 * and wss://: each hostile PUBLISH is followed by a good one, which must be served at once, with
 * every PUBLISH accounted for on /metrics and the connection kept (or, for QoS 2, dropped and made
 * again at once).
 */
class HostileBrokerTest {
  private static final String ORG = TestSettings.ORG_ID;
  private static final String GOOD_TOPIC =
      "/device_sensor_data/" + ORG + "/2CF7F1C0000000FF/1/vs/4097";

  /** Where a hostile message would land if it were taken: a series of its own. */
  private static final String OTHER_SERIES =
      "/device_sensor_data/" + ORG + "/2CF7F1C0000000EE/1/vs/4098";

  private static final Map<String, String> GOOD_SERIES =
      MetricsText.measurement("2CF7F1C0000000FF", "1", "vs", "4097");
  private static final Duration PROMPTLY = Duration.ofSeconds(1);
  private static final Duration START = Duration.ofSeconds(10);
  private static final long HUGE_PAYLOAD = 200_000_000L;

  private static final Map<Transport, RawMqttServer> SERVERS = new EnumMap<>(Transport.class);
  private static final AtomicInteger PACKET_IDS = new AtomicInteger();
  private static Path pkiDir;
  private static TestPki pki;

  @AfterAll
  static void closeServers() throws Exception {
    SERVERS.values().forEach(RawMqttServer::close);
    SERVERS.clear();
    if (pkiDir != null) {
      try (Stream<Path> files = Files.walk(pkiDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  static Stream<Arguments> hostileTopics() {
    List<Arguments> topics = new ArrayList<>();
    topics.add(Arguments.of("NUL", inDeviceEui(0x00)));
    topics.add(Arguments.of("TAB", inDeviceEui(0x09)));
    topics.add(Arguments.of("LF", inDeviceEui(0x0A)));
    topics.add(Arguments.of("DEL", inDeviceEui(0x7F)));
    topics.add(Arguments.of("U+0085", inDeviceEui(0xC2, 0x85)));
    topics.add(Arguments.of("invalid UTF-8 C3 28", inDeviceEui(0xC3, 0x28)));
    topics.add(Arguments.of("invalid UTF-8 FF", inDeviceEui(0xFF)));
    topics.add(Arguments.of("lone surrogate, CESU-8 ED A0 80", inDeviceEui(0xED, 0xA0, 0x80)));
    topics.add(Arguments.of("U+FF0C fullwidth comma", inDeviceEui(0xEF, 0xBC, 0x8C)));
    topics.add(Arguments.of("U+FEFF", inDeviceEui(0xEF, 0xBB, 0xBF)));
    topics.add(Arguments.of("U+FFFD", inDeviceEui(0xEF, 0xBF, 0xBD)));
    topics.add(Arguments.of("U+1F600", inDeviceEui(0xF0, 0x9F, 0x98, 0x80)));
    topics.add(
        Arguments.of(
            "60 kB device EUI",
            ascii("/device_sensor_data/" + ORG + "/" + "A".repeat(60_000) + "/1/vs/4098")));
    topics.add(Arguments.of("+ in a level", inDeviceEui('+')));
    topics.add(Arguments.of("# in a level", inDeviceEui('#')));
    topics.add(
        Arguments.of(
            "another organisation",
            ascii("/device_sensor_data/999999999999/2CF7F1C0000000EE/1/vs/4098")));
    List<Arguments> cases = new ArrayList<>();
    for (Transport transport : Transport.values()) {
      for (Arguments topic : topics) {
        // Every case over TCP; over the other transports, which only change what carries the bytes,
        // one of each kind: a control character, bytes that are not UTF-8, characters Paho refuses,
        // a level that spans several WebSocket frames, and a well-formed topic that is not ours.
        if (transport == Transport.TCP || ACROSS_TRANSPORTS.contains((String) topic.get()[0])) {
          cases.add(Arguments.of(transport, topic.get()[0], topic.get()[1]));
        }
      }
    }
    return cases.stream();
  }

  private static final List<String> ACROSS_TRANSPORTS =
      List.of(
          "NUL",
          "invalid UTF-8 FF",
          "U+FF0C fullwidth comma",
          "U+1F600",
          "60 kB device EUI",
          "another organisation");

  /** The harness itself: a well-formed message then the good one, both served and acknowledged. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  void aWellFormedMessageIsServedAndAcknowledged(Transport transport) throws Exception {
    RawMqttServer server = server(transport);
    int connectionsBefore = server.connections();
    List<Integer> acksBefore = server.pubacks();
    try (Exporter exporter = start(server)) {
      int other = nextPacketId();
      server.publish(ascii(OTHER_SERIES), body(99.0), 1, other);
      int good = sendGoodAndAwaitIt(exporter, server);

      String page = Scrape.page(exporter);
      assertEquals(2.0, MetricsText.value(page, "sensecap_exporter_messages_received_total"));
      assertEquals(2.0, MetricsText.value(page, "sensecap_exporter_messages_accepted_total"));
      assertEquals(0.0, sumOfDropped(page));
      assertEquals(
          99.0,
          MetricsText.value(
              page,
              "sensecap_measurement_value",
              MetricsText.measurement("2CF7F1C0000000EE", "1", "vs", "4098")));
      assertAcknowledged(server, acksBefore, other, good);
      assertStayedConnected(exporter, server, connectionsBefore + 1);
      assertTrue(server.cleanSession(), "clean session by default");
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("hostileTopics")
  void aHostileTopicIsDroppedAcknowledgedAndTheNextMessageServedAtOnce(
      Transport transport, String what, byte[] topic) throws Exception {
    RawMqttServer server = server(transport);
    int connectionsBefore = server.connections();
    List<Integer> acksBefore = server.pubacks();
    try (Exporter exporter = start(server)) {
      int bad = nextPacketId();
      server.publish(topic, body(99.0), 1, bad);
      int good = sendGoodAndAwaitIt(exporter, server);

      assertAccounted(Scrape.page(exporter), "invalid_topic");
      assertAcknowledged(server, acksBefore, bad, good);
      assertStayedConnected(exporter, server, connectionsBefore + 1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  void a200MbPayloadIsSkippedUnheldAcknowledgedAndTheNextMessageServedAtOnce(Transport transport)
      throws Exception {
    RawMqttServer server = server(transport);
    int connectionsBefore = server.connections();
    List<Integer> acksBefore = server.pubacks();
    try (Exporter exporter = start(server)) {
      long allocatedBefore = receiverAllocatedBytes();
      int bad = nextPacketId();
      server.publishStreamed(ascii(OTHER_SERIES), HUGE_PAYLOAD, (byte) '7', 1, bad);
      int good = sendGoodAndAwaitIt(exporter, server);
      long allocated = receiverAllocatedBytes() - allocatedBefore;

      assertAccounted(Scrape.page(exporter), "payload_too_large");
      assertAcknowledged(server, acksBefore, bad, good);
      assertStayedConnected(exporter, server, connectionsBefore + 1);
      // Skipped, not read into memory: the receiving thread allocates far less than it passes.
      // Over WebSocket the JDK's client decodes frames on that thread too, in pieces it allocates
      // and drops; aFrameAnnouncingTerabytesCostsNothing shows it never takes a frame whole.
      assertTrue(
          transport == Transport.WS || transport == Transport.WSS || allocated < HUGE_PAYLOAD / 4,
          "the MQTT receiver allocated "
              + allocated
              + " bytes while a "
              + HUGE_PAYLOAD
              + "-byte payload went by");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  void aQos2PublishIsAProtocolErrorThatCostsTheConnectionAndIsRetriedAtOnce(Transport transport)
      throws Exception {
    RawMqttServer server = server(transport);
    int connectionsBefore = server.connections();
    List<Integer> acksBefore = server.pubacks();
    List<Integer> recsBefore = server.pubrecs();
    try (Exporter exporter = start(server)) {
      int bad = nextPacketId();
      server.publish(ascii(OTHER_SERIES), body(99.0), 2, bad);

      // Dropped and made again within a second (initial reconnect delay 100 ms).
      server.awaitConnections(connectionsBefore + 2, PROMPTLY);
      Await.until(PROMPTLY, "ready again after the reconnect", exporter::isReady);
      assertEquals(1.0, Scrape.value(exporter, "sensecap_exporter_mqtt_connected"));
      int good = sendGoodAndAwaitIt(exporter, server);

      assertAccounted(Scrape.page(exporter), "protocol_error");
      assertAcknowledged(server, acksBefore, good);
      assertEquals(recsBefore, server.pubrecs(), "a QoS 2 PUBLISH must not be taken on (PUBREC)");
      assertEquals(connectionsBefore + 2, server.connections(), "reconnected more than once");
      assertEquals(200, Http.get(url(exporter, "/-/ready")).statusCode());
    }
  }

  /**
   * A WebSocket frame that announces a terabyte, carrying a good reading as its first bytes. Paho's
   * own WebSocket transport would allocate the announced length before reading a byte of it.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = Transport.class,
      names = {"WS", "WSS"})
  void aWebSocketFrameAnnouncingATerabyteCostsNothingAndItsContentIsServed(Transport transport)
      throws Exception {
    RawMqttServer server = server(transport);
    int connectionsBefore = server.connections();
    List<Integer> acksBefore = server.pubacks();
    try (Exporter exporter = start(server)) {
      int good = nextPacketId();
      server.startWebSocketFrame(
          1L << 40, RawMqttServer.publishFrame(ascii(GOOD_TOPIC), body(21.5), 1, good));
      Await.until(
          PROMPTLY,
          "the reading inside the frame on /metrics",
          () ->
              Double.valueOf(21.5)
                  .equals(
                      MetricsText.value(
                          Scrape.page(exporter), "sensecap_measurement_value", GOOD_SERIES)));
      Await.until(PROMPTLY, "its PUBACK", () -> server.pubacks().contains(good));
      assertEquals(1.0, Scrape.value(exporter, "sensecap_exporter_mqtt_connected"));
      assertEquals(connectionsBefore + 1, server.connections());
      assertEquals(
          0.0,
          MetricsText.value(
              Scrape.page(exporter),
              "sensecap_exporter_uncaught_exceptions_total",
              Map.of("thread", "mqtt")));
    }
  }

  /** Paho's sockets time out every second; a slow packet must still be read whole, once. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  void aPacketPausedLongerThanTheSocketsReadTimeoutIsTakenWhole(Transport transport)
      throws Exception {
    RawMqttServer server = server(transport);
    int connectionsBefore = server.connections();
    List<Integer> acksBefore = server.pubacks();
    try (Exporter exporter = start(server)) {
      int slow = nextPacketId();
      byte[] whole = RawMqttServer.publishFrame(ascii(OTHER_SERIES), body(7.5), 1, slow);
      int cut = 2 + 2 + 10; // inside the topic
      server.send(Arrays.copyOf(whole, cut));
      Thread.sleep(1500);
      server.send(Arrays.copyOfRange(whole, cut, whole.length));
      int good = sendGoodAndAwaitIt(exporter, server);

      String page = Scrape.page(exporter);
      assertEquals(2.0, MetricsText.value(page, "sensecap_exporter_messages_accepted_total"));
      assertEquals(2.0, MetricsText.value(page, "sensecap_exporter_messages_received_total"));
      assertAcknowledged(server, acksBefore, slow, good);
      assertStayedConnected(exporter, server, connectionsBefore + 1);
    }
  }

  /**
   * A PUBLISH whose bytes stop coming half-way: the filter hands Paho nothing of it, so Paho's
   * keep-alive, unanswered, ends the connection, and the exporter connects again.
   */
  @Test
  void aPacketThatStopsHalfWayCostsAtMostTwiceTheKeepAlive() throws Exception {
    RawMqttServer server = server(Transport.TCP);
    int connectionsBefore = server.connections();
    try (Exporter exporter = start(server, "sensecap.mqtt.keep-alive", "1s")) {
      byte[] whole = RawMqttServer.publishFrame(ascii(GOOD_TOPIC), body(99.0), 1, nextPacketId());
      long sent = System.nanoTime();
      server.send(Arrays.copyOf(whole, whole.length / 2));
      server.awaitConnections(connectionsBefore + 2, Duration.ofSeconds(3));
      long reconnectedMillis = (System.nanoTime() - sent) / 1_000_000;
      System.out.println("FIGURE stalled_packet_to_reconnect_ms=" + reconnectedMillis);
      Await.until(START, "ready again", exporter::isReady);
      int good = sendGoodAndAwaitIt(exporter, server);
      assertTrue(server.pubacks().contains(good));
    }
  }

  // ---- the steps of every case -----------------------------------------------------------------

  private static Exporter start(RawMqttServer server, String... more) throws Exception {
    List<String> overrides = new ArrayList<>(List.of(more));
    if (server.transport().tls()) {
      overrides.addAll(List.of("sensecap.mqtt.tls.ca-file", pki.caCert().toString()));
    }
    int before = server.connections();
    Exporter exporter =
        Exporter.start(
            TestSettings.forBroker(server.url(), overrides.toArray(new String[0])),
            Clock.systemUTC());
    try {
      server.awaitConnections(before + 1, START);
      Await.until(START, "exporter ready on " + server.url(), exporter::isReady);
      assertEquals(exporter.mqttClientId(), server.clientId());
      assertEquals(1, server.requestedQos().values().stream().distinct().count());
      assertEquals(1, server.requestedQos().values().iterator().next());
    } catch (Throwable e) {
      exporter.close();
      throw e;
    }
    return exporter;
  }

  /** Sends the good QoS 1 reading; it must be on /metrics within a second. Returns its id. */
  private static int sendGoodAndAwaitIt(Exporter exporter, RawMqttServer server) throws Exception {
    int id = nextPacketId();
    server.publish(ascii(GOOD_TOPIC), body(21.5), 1, id);
    Await.until(
        PROMPTLY,
        "the good reading on /metrics",
        () ->
            Double.valueOf(21.5)
                .equals(
                    MetricsText.value(
                        Scrape.page(exporter), "sensecap_measurement_value", GOOD_SERIES)));
    return id;
  }

  /**
   * Two PUBLISHes, both counted: the good one accepted, the hostile one dropped for {@code why}.
   */
  private static void assertAccounted(String page, String reason) {
    double received = MetricsText.value(page, "sensecap_exporter_messages_received_total");
    double accepted = MetricsText.value(page, "sensecap_exporter_messages_accepted_total");
    double dropped = sumOfDropped(page);
    assertEquals(2.0, received, "PUBLISHes received");
    assertEquals(1.0, accepted, "PUBLISHes accepted");
    assertEquals(received, accepted + dropped, "received = accepted + dropped");
    assertEquals(
        Double.valueOf(1.0),
        MetricsText.value(
            page, "sensecap_exporter_messages_dropped_total", Map.of("reason", reason)),
        "dropped as " + reason);
    assertEquals(1.0, MetricsText.value(page, "sensecap_exporter_series"), "series");
  }

  /** Every {@code sensecap_exporter_messages_dropped_total} sample, whatever its reason. */
  private static double sumOfDropped(String page) {
    double sum = 0;
    for (String line : page.split("\n")) {
      if (line.startsWith("sensecap_exporter_messages_dropped_total{")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** Exactly these packet ids were acknowledged since {@code before}, each once. */
  private static void assertAcknowledged(RawMqttServer server, List<Integer> before, int... ids) {
    Await.until(
        PROMPTLY,
        "PUBACKs " + Arrays.toString(ids),
        () -> server.pubacks().size() >= before.size() + ids.length);
    List<Integer> since =
        new ArrayList<>(server.pubacks().subList(before.size(), server.pubacks().size()));
    since.sort(null);
    List<Integer> expected = new ArrayList<>();
    for (int id : ids) {
      expected.add(id);
    }
    expected.sort(null);
    assertEquals(expected, since, "packet ids acknowledged");
  }

  private static void assertStayedConnected(
      Exporter exporter, RawMqttServer server, int connections) {
    String page = Scrape.page(exporter);
    assertEquals(connections, server.connections(), "connections made to the server");
    assertEquals(0.0, MetricsText.value(page, "sensecap_exporter_mqtt_connections_lost_total"));
    assertEquals(1.0, MetricsText.value(page, "sensecap_exporter_mqtt_connected"));
    assertEquals(200, Http.get(url(exporter, "/-/ready")).statusCode());
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static synchronized RawMqttServer server(Transport transport) throws Exception {
    RawMqttServer server = SERVERS.get(transport);
    if (server == null) {
      if (transport.tls()) {
        if (pki == null) {
          pkiDir = Files.createTempDirectory("hostile-broker-pki");
          pki = TestPki.create(pkiDir, "raw-broker");
        }
        server = RawMqttServer.startTls(transport, pki.server("raw-broker", "IP:127.0.0.1"));
      } else {
        server = RawMqttServer.start(transport);
      }
      SERVERS.put(transport, server);
    }
    return server;
  }

  private static int nextPacketId() {
    return 1 + PACKET_IDS.getAndIncrement() % 65_535;
  }

  private static byte[] body(double value) {
    return ascii("{\"value\":" + value + ",\"timestamp\":" + System.currentTimeMillis() + "}");
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** A topic of another device whose EUI holds the given bytes in its middle. */
  private static byte[] inDeviceEui(int... bytes) {
    byte[] prefix = ascii("/device_sensor_data/" + ORG + "/2CF7F1C0");
    byte[] suffix = ascii("000000EE/1/vs/4098");
    byte[] topic = new byte[prefix.length + bytes.length + suffix.length];
    System.arraycopy(prefix, 0, topic, 0, prefix.length);
    for (int i = 0; i < bytes.length; i++) {
      topic[prefix.length + i] = (byte) bytes[i];
    }
    System.arraycopy(suffix, 0, topic, prefix.length + bytes.length, suffix.length);
    return topic;
  }

  private static String url(Exporter exporter, String path) {
    return "http://127.0.0.1:" + exporter.httpPort() + path;
  }

  /** Bytes allocated so far by Paho's receiving threads ("MQTT Rec: <client id>"). */
  private static long receiverAllocatedBytes() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long total = 0;
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith("MQTT Rec")) {
        total += threads.getThreadAllocatedBytes(thread.getId());
      }
    }
    return total;
  }
}
