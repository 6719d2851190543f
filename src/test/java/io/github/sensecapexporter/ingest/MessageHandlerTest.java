package io.github.sensecapexporter.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.sensecapexporter.metrics.DropReason;
import io.github.sensecapexporter.metrics.ExporterMetrics;
import io.github.sensecapexporter.parse.Topic;
import io.github.sensecapexporter.store.Sample;
import io.github.sensecapexporter.store.SeriesKey;
import io.github.sensecapexporter.store.SeriesStore;
import io.github.sensecapexporter.testing.LogCapture;
import io.github.sensecapexporter.testing.MutableClock;
import io.prometheus.client.CollectorRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MessageHandlerTest {
  private static final String TOPIC = "/device_sensor_data/521853156991/2CF7F1C04430065C/1/vs/4097";
  private static final SeriesKey KEY =
      new SeriesKey(Topic.Kind.MEASUREMENT, "2CF7F1C04430065C", "1", "vs", "4097");
  private static final List<String> FILTERS =
      List.of("/device_sensor_data/521853156991/+/+/+/+", "/device_status_event/521853156991/#");

  private MutableClock clock;
  private CollectorRegistry registry;
  private SeriesStore store;
  private MessageHandler handler;

  @BeforeEach
  void setUp() {
    clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
    registry = new CollectorRegistry();
    store = new SeriesStore(clock, Duration.ofHours(26), 3);
    handler =
        new MessageHandler(
            store, new ExporterMetrics(registry, "test", "unknown", "unknown"), clock, FILTERS);
  }

  private void handle(String topic, String body) {
    handler.handle(topic, body.getBytes(StandardCharsets.UTF_8));
  }

  private double dropped(DropReason reason) {
    return registry.getSampleValue(
        "sensecap_exporter_messages_dropped_total",
        new String[] {"reason"},
        new String[] {reason.label()});
  }

  private double received() {
    return registry.getSampleValue("sensecap_exporter_messages_received_total");
  }

  private Sample sample(SeriesKey key) {
    Map<SeriesKey, Sample> live = new HashMap<>();
    store.forEachLive(
        (held, value, timestamp, received) ->
            live.put(held, new Sample(value, timestamp, received)));
    return live.get(key);
  }

  @Nested
  class Accepted {
    @Test
    void storesAReadingWithItsOwnTimestamp() {
      handle(TOPIC, "{\"value\":23.5,\"timestamp\":1759186369000}");
      assertEquals(new Sample(23.5, 1_759_186_369_000L, clock.millis()), sample(KEY));
      assertEquals(1.0, received());
      assertEquals(
          clock.millis() / 1000.0,
          registry.getSampleValue("sensecap_exporter_last_message_received_timestamp_seconds"));
    }

    @Test
    void usesTheArrivalTimeWhenTheBodyHasNoTimestamp() {
      handle(TOPIC, "{\"value\":\"23.5\"}");
      assertEquals(clock.millis(), sample(KEY).timestampMillis());
    }
  }

  @Nested
  class Dropped {
    @ParameterizedTest
    @EnumSource(DropReason.class)
    void everyReasonIsServedAtZeroFromTheStart(DropReason reason) {
      assertEquals(0.0, dropped(reason));
    }

    @Test
    void countsAnInvalidTopic() {
      handle("/device_sensor_data/521853156991/2CF7F1C04430065C/1/vs", "{\"value\":1}");
      assertEquals(1.0, dropped(DropReason.INVALID_TOPIC));
    }

    @Test
    void countsAnInvalidPayload() {
      handle(TOPIC, "{\"value\":");
      assertEquals(1.0, dropped(DropReason.INVALID_PAYLOAD));
    }

    @Test
    void countsANonNumericValue() {
      handle(TOPIC, "{\"value\":[{\"mac\":\"4C:5E:0C:12:34:56\",\"rssi\":-60}]}");
      assertEquals(1.0, dropped(DropReason.NON_NUMERIC));
      assertNull(sample(KEY));
    }

    @Test
    void countsATopicOutsideTheSubscribedFilters() {
      handle("/device_sensor_data/999999999999/2CF7F1C04430065C/1/vs/4097", "{\"value\":1}");
      handle("/device_status_event/999999999999/2CF7F1C04430065C/vs/3000", "{\"value\":1}");
      assertEquals(2.0, dropped(DropReason.INVALID_TOPIC));
      assertEquals(0, store.size());
    }

    @Test
    void countsAMessageRefusedBeforeItArrived() {
      handler.reject(DropReason.PAYLOAD_TOO_LARGE, TOPIC, "70000 bytes");
      assertEquals(1.0, received());
      assertEquals(1.0, dropped(DropReason.PAYLOAD_TOO_LARGE));
      assertEquals(
          clock.millis() / 1000.0,
          registry.getSampleValue("sensecap_exporter_last_message_received_timestamp_seconds"));
    }

    @Test
    void countsAnOutOfOrderReadingAndKeepsTheNewer() {
      try (LogCapture log = new LogCapture(Level.ALL)) {
        handle(TOPIC, "{\"value\":22,\"timestamp\":1790000000000}");
        handle(TOPIC, "{\"value\":19,\"timestamp\":1789999999999}");
        assertEquals(1.0, dropped(DropReason.OUT_OF_ORDER));
        assertEquals(22.0, sample(KEY).value());
        // Expected of a device that flushes its cache: counted, logged for debugging only, with
        // its time as a time.
        assertEquals(0, log.count(Level.WARNING, "out_of_order"), log.lines().toString());
        assertEquals(
            1,
            log.count(Level.FINE, "stamped 2026-09-21T14:13:19.999Z, older than"),
            log.lines().toString());
      }
    }

    @Test
    void aReadingTooFarAheadIsLoggedWithItsTimeAsATime() {
      try (LogCapture log = new LogCapture(Level.ALL)) {
        handle(TOPIC, "{\"value\":22,\"timestamp\":" + (clock.millis() + 7_200_000) + "}");
        assertEquals(
            1,
            log.count(Level.WARNING, "timestamp 2026-11-25T14:00:00Z is more than an hour ahead"),
            log.lines().toString());
      }
    }

    @Test
    void refusesATimestampMoreThanAnHourAhead() {
      long tooFar = clock.millis() + Duration.ofHours(1).toMillis() + 1;
      handle(TOPIC, "{\"value\":30,\"timestamp\":" + tooFar + "}");
      assertEquals(1.0, dropped(DropReason.INVALID_PAYLOAD));
      assertNull(sample(KEY));
      handle(TOPIC, "{\"value\":21,\"timestamp\":" + (tooFar - 1) + "}");
      assertEquals(21.0, sample(KEY).value(), "an hour ahead is still taken");
    }

    @Test
    void countsNewSeriesPastTheLimit() {
      for (int id = 4097; id < 4101; id++) {
        handle("/device_sensor_data/521853156991/2CF7F1C04430065C/1/vs/" + id, "{\"value\":1}");
      }
      assertEquals(1.0, dropped(DropReason.SERIES_LIMIT));
      assertEquals(3, store.size());
    }
  }

  @Test
  void accountsForEveryMessage() {
    String[] bodies = {
      "{\"value\":1,\"timestamp\":3000}",
      "{\"value\":1,\"timestamp\":2000}",
      "not json",
      "{\"value\":\"abc\"}",
      "{\"value\":true,\"timestamp\":4000}"
    };
    for (String body : bodies) {
      handle(TOPIC, body);
    }
    handle("/nowhere", "{\"value\":1}");
    double droppedTotal = 0;
    for (DropReason reason : DropReason.values()) {
      droppedTotal += dropped(reason);
    }
    assertEquals(6.0, received());
    assertEquals(4.0, droppedTotal);
    assertEquals(2.0, registry.getSampleValue("sensecap_exporter_messages_accepted_total"));
    assertEquals(1.0, sample(KEY).value());
  }
}
