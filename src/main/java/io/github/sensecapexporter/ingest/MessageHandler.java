package io.github.sensecapexporter.ingest;

import io.github.sensecapexporter.logging.LogText;
import io.github.sensecapexporter.logging.RateLimitedLog;
import io.github.sensecapexporter.metrics.DropReason;
import io.github.sensecapexporter.metrics.ExporterMetrics;
import io.github.sensecapexporter.parse.PayloadParser;
import io.github.sensecapexporter.parse.Reading;
import io.github.sensecapexporter.parse.Topic;
import io.github.sensecapexporter.parse.TopicMatcher;
import io.github.sensecapexporter.parse.TopicParser;
import io.github.sensecapexporter.store.SeriesKey;
import io.github.sensecapexporter.store.SeriesStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Takes one MQTT message from topic to stored sample, and counts it as received and, when it leaves
 * no sample, as dropped with its reason. Never throws for any input. Messages refused before they
 * reach it (an oversized payload, a topic the MQTT client cannot take) are counted through {@link
 * #reject}, so every message the broker sends is counted here.
 */
public final class MessageHandler {
  private static final Logger LOG = Logger.getLogger(MessageHandler.class.getName());
  private static final int LOGGED_CHARS = 120;

  /**
   * Readings stamped further ahead than this are refused: held, such a reading would make every
   * true one after it look out of order until the series expired.
   */
  static final long MAX_FUTURE_MILLIS = Duration.ofHours(1).toMillis();

  /**
   * Whether a reading stamped {@code timestampMillis} is refused as too far ahead of {@code
   * nowMillis}; a saved sample is held to the same rule when it is restored.
   */
  public static boolean isTooFarAhead(long timestampMillis, long nowMillis) {
    return timestampMillis > nowMillis + MAX_FUTURE_MILLIS;
  }

  private final SeriesStore store;
  private final ExporterMetrics metrics;
  private final Clock clock;
  private final TopicMatcher subscribed;
  private final RateLimitedLog dropLog;

  /** {@code topicFilters}: what the exporter subscribes to; other topics are dropped. */
  public MessageHandler(
      SeriesStore store, ExporterMetrics metrics, Clock clock, List<String> topicFilters) {
    this.store = store;
    this.metrics = metrics;
    this.clock = clock;
    this.subscribed = new TopicMatcher(topicFilters);
    this.dropLog = new RateLimitedLog(LOG, clock, Duration.ofSeconds(10));
  }

  public void handle(String topicName, byte[] payload) {
    long now = clock.millis();
    metrics.received(now);
    if (!subscribed.matches(topicName)) {
      drop(DropReason.INVALID_TOPIC, topicName, "not matched by sensecap.mqtt.topics");
      return;
    }
    Topic topic = TopicParser.parse(topicName);
    if (topic == null) {
      drop(DropReason.INVALID_TOPIC, topicName, "not an OpenStream topic");
      return;
    }
    Reading reading = PayloadParser.parse(payload);
    switch (reading.status()) {
      case INVALID -> drop(DropReason.INVALID_PAYLOAD, topicName, "body " + excerpt(payload));
      case NON_NUMERIC -> drop(DropReason.NON_NUMERIC, topicName, "body " + excerpt(payload));
      case NUMERIC -> {
        long timestamp = reading.hasTimestamp() ? reading.timestampMillis() : now;
        if (isTooFarAhead(timestamp, now)) {
          drop(
              DropReason.INVALID_PAYLOAD,
              topicName,
              "timestamp "
                  + Instant.ofEpochMilli(timestamp)
                  + " is more than an hour ahead of this machine's clock");
          return;
        }
        switch (store.update(SeriesKey.of(topic), reading.value(), timestamp)) {
          case OUT_OF_ORDER ->
              drop(
                  DropReason.OUT_OF_ORDER,
                  topicName,
                  "stamped " + Instant.ofEpochMilli(timestamp) + ", older than the reading held");
          case SERIES_LIMIT ->
              drop(DropReason.SERIES_LIMIT, topicName, "sensecap.series.max-series reached");
          case STORED -> metrics.accepted();
        }
      }
    }
  }

  /**
   * Counts a message that was refused before it could be handled; {@code topic} is printable, for
   * the log.
   */
  public void reject(DropReason reason, String topic, String detail) {
    metrics.received(clock.millis());
    drop(reason, topic, detail);
  }

  private void drop(DropReason reason, String topicName, String detail) {
    metrics.dropped(reason);
    // Non-numeric bodies are normal for scan and event measurements, and late readings for a
    // device that flushes its cache after a gap: counted, not worth a warning.
    Level level =
        reason == DropReason.NON_NUMERIC || reason == DropReason.OUT_OF_ORDER
            ? Level.FINE
            : Level.WARNING;
    dropLog.log(
        level,
        reason.label(),
        "dropped message ("
            + reason.label()
            + ") on "
            + LogText.excerpt(topicName, LOGGED_CHARS)
            + ": "
            + detail);
  }

  private static String excerpt(byte[] payload) {
    int length = Math.min(payload.length, LOGGED_CHARS * 4);
    return LogText.excerpt(new String(payload, 0, length, StandardCharsets.UTF_8), LOGGED_CHARS);
  }
}
