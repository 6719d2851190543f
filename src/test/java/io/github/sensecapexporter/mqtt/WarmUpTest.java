package io.github.sensecapexporter.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.ingest.MessageHandler;
import io.github.sensecapexporter.metrics.ExporterMetrics;
import io.github.sensecapexporter.store.SeriesStore;
import io.prometheus.client.CollectorRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WarmUpTest {
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-26T04:00:00Z"), ZoneOffset.UTC);
  private CollectorRegistry registry;
  private SeriesStore store;
  private MessageHandler handler;

  @BeforeEach
  void freshHandler() {
    registry = new CollectorRegistry();
    store = new SeriesStore(clock, Duration.ofHours(1), 10_000);
    handler = new MessageHandler(store, new ExporterMetrics(registry, "test"), clock, List.of("#"));
  }

  @Test
  void everyMessageCrossesTheSocketAndIsStored() {
    assertEquals(3000, WarmUp.run(3000, handler, clock, Duration.ofSeconds(30)));

    assertEquals(3000.0, registry.getSampleValue("sensecap_exporter_messages_received_total"));
    assertEquals(3000.0, registry.getSampleValue("sensecap_exporter_messages_accepted_total"));
    assertEquals(1000, store.size(), "250 devices with 4 measurements each");
  }

  @Test
  void noMessagesMeansNoWarmUp() {
    assertEquals(0, WarmUp.run(0, handler, clock, Duration.ofSeconds(30)));

    assertEquals(0.0, registry.getSampleValue("sensecap_exporter_messages_received_total"));
  }

  @Test
  void givesUpAtTheTimeLimit() {
    long started = System.nanoTime();

    int taken = WarmUp.run(1_000_000, handler, clock, Duration.ofMillis(300));

    assertTrue(taken < 1_000_000, "took " + taken);
    assertTrue(
        Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(3)) < 0,
        "a warm-up past its time limit must not hold up the start");
  }
}
