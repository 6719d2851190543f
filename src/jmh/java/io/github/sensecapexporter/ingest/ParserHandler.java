package io.github.sensecapexporter.ingest;

import io.github.sensecapexporter.metrics.DropReason;
import io.github.sensecapexporter.metrics.ExporterMetrics;
import io.github.sensecapexporter.parse.Reading;
import io.github.sensecapexporter.parse.Topic;
import io.github.sensecapexporter.parse.TopicMatcher;
import io.github.sensecapexporter.parse.TopicParser;
import io.github.sensecapexporter.store.SeriesKey;
import io.github.sensecapexporter.store.SeriesStore;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * {@link MessageHandler#handle}'s steps with the body parser given, so that parsers can be compared
 * on the whole path. Drops are counted but not logged: the benchmark's messages are all stored.
 */
public final class ParserHandler {
  private final SeriesStore store;
  private final ExporterMetrics metrics;
  private final Clock clock;
  private final TopicMatcher subscribed;
  private final Function<byte[], Reading> parser;

  public ParserHandler(
      SeriesStore store,
      ExporterMetrics metrics,
      Clock clock,
      List<String> topicFilters,
      Function<byte[], Reading> parser) {
    this.store = store;
    this.metrics = metrics;
    this.clock = clock;
    this.subscribed = new TopicMatcher(topicFilters);
    this.parser = parser;
  }

  public void handle(String topicName, byte[] payload) {
    long now = clock.millis();
    metrics.received(now);
    if (!subscribed.matches(topicName)) {
      metrics.dropped(DropReason.INVALID_TOPIC);
      return;
    }
    Topic topic = TopicParser.parse(topicName);
    if (topic == null) {
      metrics.dropped(DropReason.INVALID_TOPIC);
      return;
    }
    Reading reading = parser.apply(payload);
    switch (reading.status()) {
      case INVALID -> metrics.dropped(DropReason.INVALID_PAYLOAD);
      case NON_NUMERIC -> metrics.dropped(DropReason.NON_NUMERIC);
      case NUMERIC -> {
        long timestamp = reading.hasTimestamp() ? reading.timestampMillis() : now;
        if (MessageHandler.isTooFarAhead(timestamp, now)) {
          metrics.dropped(DropReason.INVALID_PAYLOAD);
          return;
        }
        switch (store.update(SeriesKey.of(topic), reading.value(), timestamp)) {
          case OUT_OF_ORDER -> metrics.dropped(DropReason.OUT_OF_ORDER);
          case SERIES_LIMIT -> metrics.dropped(DropReason.SERIES_LIMIT);
          case STORED -> metrics.accepted();
        }
      }
    }
  }
}
