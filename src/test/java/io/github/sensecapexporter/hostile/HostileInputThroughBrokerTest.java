package io.github.sensecapexporter.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.github.sensecapexporter.Exporter;
import io.github.sensecapexporter.config.Settings;
import io.github.sensecapexporter.demo.DemoBroker;
import io.github.sensecapexporter.ingest.MessageHandler;
import io.github.sensecapexporter.metrics.DropReason;
import io.github.sensecapexporter.metrics.ExporterMetrics;
import io.github.sensecapexporter.parse.TopicParser;
import io.github.sensecapexporter.store.HeapBudget;
import io.github.sensecapexporter.store.SeriesStore;
import io.github.sensecapexporter.testing.Await;
import io.github.sensecapexporter.testing.Http;
import io.github.sensecapexporter.testing.MetricsText;
import io.github.sensecapexporter.testing.Publisher;
import io.prometheus.client.CollectorRegistry;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A fuzz-style run: random topics and bodies through a real broker into the exporter, and a million
 * distinct device EUIs. Lines starting with "FIGURE" are quoted in RELIABILITY.md.
 */
class HostileInputThroughBrokerTest {
  private static final int MESSAGES = 20_000;
  private static final int MAX_SERIES = 1_000;

  @Test
  void everyRandomMessageIsAccountedForAndTheExporterStaysUp() throws Exception {
    Random random = new Random(20261125);
    try (DemoBroker broker = DemoBroker.start("127.0.0.1", 0, 0);
        Exporter exporter = Exporter.start(settings(broker.tcpUrl()), Clock.systemUTC())) {
      Await.until(Duration.ofSeconds(20), "ready", exporter::isReady);
      try (Publisher publisher = new Publisher(broker.tcpUrl())) {
        for (int i = 0; i < MESSAGES; i++) {
          publisher.publish(topic(random), body(random));
        }
      }
      String metricsUrl = "http://127.0.0.1:" + exporter.httpPort() + "/metrics";
      Await.until(
          Duration.ofSeconds(60),
          MESSAGES + " messages received",
          () ->
              MetricsText.value(
                      Http.get(metricsUrl).body(), "sensecap_exporter_messages_received_total")
                  == MESSAGES);
      String page = Http.get(metricsUrl).body();
      double accepted = MetricsText.value(page, "sensecap_exporter_messages_accepted_total");
      double dropped = 0;
      StringBuilder byReason = new StringBuilder();
      for (DropReason reason : DropReason.values()) {
        double count =
            MetricsText.value(
                page, "sensecap_exporter_messages_dropped_total", Map.of("reason", reason.label()));
        dropped += count;
        byReason.append(' ').append(reason.label()).append('=').append((long) count);
      }
      System.out.println(
          "FIGURE fuzz_messages=" + MESSAGES + " accepted=" + (long) accepted + byReason);
      assertEquals(MESSAGES, accepted + dropped);
      assertTrue(MetricsText.value(page, "sensecap_exporter_series") <= MAX_SERIES);
      assertTrue(exporter.isReady(), "the exporter lost its connection to hostile input");
    }
  }

  @Test
  void aMillionDistinctDeviceEuisCostNoMoreThanTheSeriesLimit() {
    CollectorRegistry registry = new CollectorRegistry();
    SeriesStore store = new SeriesStore(Clock.systemUTC(), Duration.ofHours(26), 10_000);
    MessageHandler handler =
        new MessageHandler(
            store,
            new ExporterMetrics(registry, "test", "unknown", "unknown"),
            Clock.systemUTC(),
            List.of("#"));
    long before = usedHeapAfterGc();
    byte[] body = "{\"value\":21.5}".getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 1_000_000; i++) {
      handler.handle("/device_sensor_data/1/" + String.format("%016X", i) + "/1/vs/4097", body);
    }
    long growth = usedHeapAfterGc() - before;
    System.out.println(
        "FIGURE heap_growth_after_1M_distinct_euis_bytes=" + growth + " (series limit 10000)");
    assertEquals(10_000, store.size());
    assertEquals(
        990_000.0,
        registry.getSampleValue(
            "sensecap_exporter_messages_dropped_total",
            new String[] {"reason"},
            new String[] {"series_limit"}));
    // 10,000 series of four short strings each: a few megabytes, not the million EUIs seen.
    assertTrue(growth < 32L * 1024 * 1024, "heap grew by " + growth + " bytes");
  }

  /**
   * The bound README's Sizing gives and the launcher sizes the heap by: whatever a broker sends, a
   * series takes at most {@link HeapBudget#MAX_BYTES_PER_SERIES} bytes of heap, its labels at their
   * longest ({@link TopicParser#MAX_LEVEL_CHARS} each).
   */
  @Test
  void seriesWithTheLongestLabelsStayWithinTheDocumentedBytesEach() {
    int series = 20_000;
    CollectorRegistry registry = new CollectorRegistry();
    SeriesStore store = new SeriesStore(Clock.systemUTC(), Duration.ofHours(26), series);
    MessageHandler handler =
        new MessageHandler(
            store,
            new ExporterMetrics(registry, "test", "unknown", "unknown"),
            Clock.systemUTC(),
            List.of("#"));
    String longest = "F".repeat(TopicParser.MAX_LEVEL_CHARS - 8);
    byte[] body = "{\"value\":21.5}".getBytes(StandardCharsets.UTF_8);
    long before = usedHeapAfterGc();
    for (int i = 0; i < series; i++) {
      String level = longest + String.format("%08X", i);
      handler.handle(
          "/device_sensor_data/1/" + level + "/" + level + "/" + level + "/" + level, body);
      // One level over the bound: never a series.
      handler.handle("/device_sensor_data/1/" + level + "0/1/vs/4097", body);
    }
    long perSeries = (usedHeapAfterGc() - before) / series;
    System.out.println("FIGURE heap_per_series_longest_labels_bytes=" + perSeries);
    assertEquals(series, store.size());
    assertEquals(
        (double) series,
        registry.getSampleValue(
            "sensecap_exporter_messages_dropped_total",
            new String[] {"reason"},
            new String[] {"invalid_topic"}));
    assertTrue(perSeries <= HeapBudget.MAX_BYTES_PER_SERIES, perSeries + " bytes a series");
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static Settings settings(String url) {
    return Settings.from(
        ConfigFactory.parseMap(
                Map.of(
                    "sensecap.org-id",
                    "1",
                    "sensecap.access-key",
                    "k",
                    "sensecap.mqtt.url",
                    url,
                    "sensecap.mqtt.topics",
                    List.of("#"),
                    "sensecap.mqtt.max-payload-size",
                    "4KiB",
                    "sensecap.http.host",
                    "127.0.0.1",
                    "sensecap.http.port",
                    0,
                    "sensecap.series.max-series",
                    MAX_SERIES,
                    "sensecap.state.path",
                    ""))
            .withFallback(ConfigFactory.defaultReference())
            .resolve(),
        false);
  }

  /** Mostly OpenStream's shape, often not: random levels, long levels, unicode, stray slashes. */
  private static String topic(Random random) {
    return switch (random.nextInt(6)) {
      case 0 ->
          "/device_sensor_data/1/" + randomText(random, 1 + random.nextInt(20)) + "/1/vs/4097";
      case 1 -> randomText(random, 1 + random.nextInt(60));
      case 2 -> "/device_sensor_data/1/" + "X".repeat(1 + random.nextInt(5_000)) + "/1/vs/4097";
      case 3 -> "/device_status_event/1/2CF7F1C0443" + random.nextInt(100) + "/vs/3000";
      default ->
          "/device_sensor_data/1/2CF7F1C0443"
              + random.nextInt(2_000)
              + "/1/vs/"
              + (4097 + random.nextInt(4));
    };
  }

  private static String randomText(Random random, int length) {
    StringBuilder text = new StringBuilder();
    // Characters outside the Basic Multilingual Plane are left out: the embedded broker's MQTT
    // codec refuses them in topics and closes the publisher's connection.
    String alphabet = "abcXYZ019/\"\\é€ ☃_-.";
    for (int i = 0; i < length; i++) {
      text.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    // '+' and '#' are wildcards, never valid in a published topic; an empty topic is invalid too.
    return text.toString();
  }

  private static String body(Random random) {
    return switch (random.nextInt(8)) {
      case 0 -> "{\"value\":" + "[".repeat(random.nextInt(20_000)) + "}";
      case 1 -> "{\"value\":1e" + random.nextInt(1_000) + "}";
      case 2 -> new String(randomBytes(random), StandardCharsets.ISO_8859_1);
      case 3 -> "{\"value\":\"" + "x".repeat(random.nextInt(8_000)) + "\"}";
      case 4 -> "{\"value\":[{\"mac\":\"4C:5E\",\"rssi\":-60}]}";
      default ->
          "{\"value\":"
              + random.nextGaussian() * 100
              + ",\"timestamp\":"
              + (1_700_000_000_000L + random.nextInt(1_000_000))
              + "}";
    };
  }

  private static byte[] randomBytes(Random random) {
    byte[] bytes = new byte[random.nextInt(300)];
    random.nextBytes(bytes);
    return bytes;
  }
}
