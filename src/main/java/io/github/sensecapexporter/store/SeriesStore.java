package io.github.sensecapexporter.store;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * The latest sample of every series, as graphite_exporter keeps pushed data: written by the MQTT
 * callback, read by scrapes, without a lock that one could hold against the other.
 */
public final class SeriesStore {

  /** What became of an update. */
  public enum Outcome {
    STORED,
    /** The reading is older than the one held, which stays. */
    OUT_OF_ORDER,
    /** The series is new and the store is full. */
    SERIES_LIMIT
  }

  private final ConcurrentHashMap<SeriesKey, Sample> series = new ConcurrentHashMap<>();
  private final AtomicInteger size = new AtomicInteger();
  private final Clock clock;
  private final long expireAfterMillis;
  private final int maxSeries;

  public SeriesStore(Clock clock, Duration expireAfter, int maxSeries) {
    this.clock = clock;
    this.expireAfterMillis = expireAfter.toMillis();
    this.maxSeries = maxSeries;
  }

  public Outcome update(SeriesKey key, double value, long timestampMillis) {
    Sample fresh = new Sample(value, timestampMillis, clock.millis());
    while (true) {
      Sample held = series.get(key);
      if (held == null) {
        if (size.get() >= maxSeries) {
          return Outcome.SERIES_LIMIT;
        }
        if (insert(key, fresh)) {
          return Outcome.STORED;
        }
      } else if (timestampMillis < held.timestampMillis()) {
        return Outcome.OUT_OF_ORDER;
      } else if (series.replace(key, held, fresh)) {
        return Outcome.STORED;
      }
    }
  }

  /**
   * Puts back a sample saved before a restart, unless it has expired meanwhile, its series exists
   * already or the store is full. Returns whether it was kept.
   */
  public boolean restore(SeriesKey key, Sample sample) {
    return sample.receivedMillis() >= clock.millis() - expireAfterMillis && insert(key, sample);
  }

  /** Adds a new series; false when it exists or the store is full. */
  private boolean insert(SeriesKey key, Sample sample) {
    // Reserve a place before inserting, so that concurrent writers never pass the limit.
    if (size.incrementAndGet() > maxSeries) {
      size.decrementAndGet();
      return false;
    }
    if (series.putIfAbsent(key, sample) == null) {
      return true;
    }
    size.decrementAndGet();
    return false;
  }

  /** Calls {@code visitor} for every series that has not expired. */
  public void forEachLive(BiConsumer<SeriesKey, Sample> visitor) {
    long oldest = clock.millis() - expireAfterMillis;
    // forEach, not entrySet(): no entry object per series on every scrape.
    series.forEach(
        (key, sample) -> {
          if (sample.receivedMillis() >= oldest) {
            visitor.accept(key, sample);
          }
        });
  }

  /** Removes the series that received nothing for {@code expireAfter}; returns how many. */
  public int removeExpired() {
    long oldest = clock.millis() - expireAfterMillis;
    int removed = 0;
    for (Map.Entry<SeriesKey, Sample> entry : series.entrySet()) {
      Sample sample = entry.getValue();
      // Conditional remove: a sample that arrives meanwhile keeps its series.
      if (sample.receivedMillis() < oldest && series.remove(entry.getKey(), sample)) {
        size.decrementAndGet();
        removed++;
      }
    }
    return removed;
  }

  /** The number of series held, including expired ones not yet removed. */
  public int size() {
    return size.get();
  }

  public int maxSeries() {
    return maxSeries;
  }
}
