package io.github.sensecapexporter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.sensecapexporter.parse.Topic;
import io.github.sensecapexporter.store.SeriesStore.Outcome;
import io.github.sensecapexporter.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SeriesStoreTest {
  private static final Duration EXPIRE_AFTER = Duration.ofHours(26);
  private static final SeriesKey TEMPERATURE =
      new SeriesKey(Topic.Kind.MEASUREMENT, "2CF7F1C04430065C", "1", "vs", "4097");
  private static final SeriesKey HUMIDITY =
      new SeriesKey(Topic.Kind.MEASUREMENT, "2CF7F1C04430065C", "1", "vs", "4098");
  private static final SeriesKey BATTERY =
      new SeriesKey(Topic.Kind.STATUS, "2CF7F1C04430065C", "", "", "3000");

  private MutableClock clock;

  @BeforeEach
  void setUp() {
    clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
  }

  private SeriesStore store(int maxSeries) {
    return new SeriesStore(clock, EXPIRE_AFTER, maxSeries);
  }

  private static Map<SeriesKey, Sample> live(SeriesStore store) {
    Map<SeriesKey, Sample> live = new HashMap<>();
    store.forEachLive(
        (key, value, timestamp, received) -> live.put(key, new Sample(value, timestamp, received)));
    return live;
  }

  @Nested
  class Updates {
    @Test
    void keepsTheLatestValueWithItsTimestampAndArrivalTime() {
      SeriesStore store = store(10);
      assertEquals(Outcome.STORED, store.update(TEMPERATURE, 21.5, 1_000));
      clock.advance(Duration.ofMinutes(60));
      assertEquals(Outcome.STORED, store.update(TEMPERATURE, 22.0, 2_000));

      Sample sample = live(store).get(TEMPERATURE);
      assertEquals(22.0, sample.value());
      assertEquals(2_000, sample.timestampMillis());
      assertEquals(clock.millis(), sample.receivedMillis());
      assertEquals(1, store.size());
    }

    @Test
    void keepsMeasurementsAndStatusesApart() {
      SeriesStore store = store(10);
      store.update(TEMPERATURE, 21.5, 1_000);
      store.update(HUMIDITY, 60, 1_000);
      store.update(BATTERY, 87, 1_000);

      Map<SeriesKey, Sample> live = live(store);
      assertEquals(3, live.size());
      assertEquals(87, live.get(BATTERY).value());
    }
  }

  @Nested
  class OutOfOrder {
    @Test
    void anOlderReadingNeverReplacesTheOneHeld() {
      SeriesStore store = store(10);
      store.update(TEMPERATURE, 22.0, 2_000);
      assertEquals(Outcome.OUT_OF_ORDER, store.update(TEMPERATURE, 19.0, 1_999));

      Sample sample = live(store).get(TEMPERATURE);
      assertEquals(22.0, sample.value());
      assertEquals(2_000, sample.timestampMillis());
    }

    @Test
    void aReadingWithTheSameTimestampReplacesIt() {
      SeriesStore store = store(10);
      store.update(TEMPERATURE, 22.0, 2_000);
      assertEquals(Outcome.STORED, store.update(TEMPERATURE, 22.5, 2_000));
      assertEquals(22.5, live(store).get(TEMPERATURE).value());
    }
  }

  @Nested
  class Expiry {
    @Test
    void aSeriesLeavesWhenNothingArrivedForExpireAfter() {
      SeriesStore store = store(10);
      store.update(TEMPERATURE, 21.5, 1_000);
      clock.advance(EXPIRE_AFTER);
      assertEquals(1, live(store).size(), "still live exactly at expire-after");

      clock.advance(Duration.ofMillis(1));
      assertNull(live(store).get(TEMPERATURE));
      assertEquals(1, store.removeExpired());
      assertEquals(0, store.size());
    }

    @Test
    void expiryCountsFromArrivalNotFromTheMeasurementTime() {
      SeriesStore store = store(10);
      // A cached reading measured two days ago that arrives now is live now.
      long twoDaysAgo = clock.millis() - Duration.ofDays(2).toMillis();
      store.update(TEMPERATURE, 21.5, twoDaysAgo);
      assertEquals(1, live(store).size());
      assertEquals(0, store.removeExpired());
    }

    @Test
    void anUpdateKeepsTheSeriesAlive() {
      SeriesStore store = store(10);
      store.update(TEMPERATURE, 21.5, 1_000);
      store.update(HUMIDITY, 60, 1_000);
      clock.advance(EXPIRE_AFTER.minusHours(1));
      store.update(TEMPERATURE, 22.0, 2_000);
      clock.advance(Duration.ofHours(2));

      assertEquals(1, store.removeExpired());
      assertEquals(Map.of(TEMPERATURE, live(store).get(TEMPERATURE)), live(store));
    }
  }

  @Nested
  class Limit {
    @Test
    void newSeriesPastTheLimitAreDroppedWhileExistingOnesUpdate() {
      SeriesStore store = store(2);
      assertEquals(Outcome.STORED, store.update(TEMPERATURE, 21.5, 1_000));
      assertEquals(Outcome.STORED, store.update(HUMIDITY, 60, 1_000));
      assertEquals(Outcome.SERIES_LIMIT, store.update(BATTERY, 87, 1_000));
      assertEquals(Outcome.STORED, store.update(TEMPERATURE, 23.0, 2_000));

      Map<SeriesKey, Sample> live = live(store);
      assertEquals(2, live.size());
      assertEquals(23.0, live.get(TEMPERATURE).value());
      assertEquals(2, store.size());
    }

    @Test
    void anExpiredSeriesFreesItsPlace() {
      SeriesStore store = store(1);
      store.update(TEMPERATURE, 21.5, 1_000);
      clock.advance(EXPIRE_AFTER.plusSeconds(1));
      store.removeExpired();
      assertEquals(Outcome.STORED, store.update(BATTERY, 87, 1_000));
    }

    @Test
    void concurrentWritersNeverPassTheLimit() throws InterruptedException {
      SeriesStore store = store(1_000);
      Thread[] writers = new Thread[4];
      for (int w = 0; w < writers.length; w++) {
        int writer = w;
        writers[w] =
            new Thread(
                () -> {
                  for (int i = 0; i < 1_000; i++) {
                    store.update(
                        new SeriesKey(
                            Topic.Kind.MEASUREMENT, "D" + writer + "-" + i, "1", "vs", "4097"),
                        i,
                        i);
                  }
                });
        writers[w].start();
      }
      for (Thread writer : writers) {
        writer.join();
      }
      assertEquals(1_000, store.size());
      assertEquals(1_000, live(store).size());
    }
  }

  @Nested
  class Concurrency {
    @Test
    void aReaderNeverSeesHalfOfAWrite() throws InterruptedException {
      SeriesStore store = store(10);
      store.update(TEMPERATURE, 0, 0);
      AtomicBoolean reading = new AtomicBoolean(true);
      // Every write keeps value == timestamp; a reader that mixed two writes would see them differ.
      Thread writer =
          new Thread(
              () -> {
                for (long i = 1; reading.get(); i++) {
                  store.update(TEMPERATURE, i, i);
                }
              });
      writer.start();
      AtomicReference<Sample> torn = new AtomicReference<>();
      try {
        for (int read = 0; read < 2_000_000 && torn.get() == null; read++) {
          store.forEachLive(
              (key, value, timestamp, received) -> {
                if (value != timestamp) {
                  torn.set(new Sample(value, timestamp, received));
                }
              });
        }
      } finally {
        reading.set(false);
        writer.join();
      }
      assertNull(torn.get());
    }

    @Test
    void aSweepBehindAnotherNeverRemovesTheSeriesThatReplacedTheExpiredOne() throws Exception {
      SeriesStore store = store(10);
      store.update(TEMPERATURE, 1, 1);
      // The store hands a scrape each series as its own key, and a series is its own lock.
      AtomicReference<SeriesKey> expired = new AtomicReference<>();
      store.forEachLive((key, value, timestamp, received) -> expired.set(key));
      clock.advance(EXPIRE_AFTER.plusSeconds(1));

      AtomicInteger lateSweep = new AtomicInteger(-1);
      Thread late = new Thread(() -> lateSweep.set(store.removeExpired()));
      synchronized (expired.get()) {
        late.start();
        while (late.getState() != Thread.State.BLOCKED) { // on the expired series' lock
          assertNotEquals(Thread.State.TERMINATED, late.getState(), "the late sweep never waited");
          Thread.onSpinWait();
        }
        // Under the same lock, re-entered: a sweep removes it, and a reading starts it anew.
        assertEquals(1, store.removeExpired());
        store.update(TEMPERATURE, 2, 2);
      }
      late.join();

      assertEquals(0, lateSweep.get());
      assertEquals(Map.of(TEMPERATURE, new Sample(2, 2, clock.millis())), live(store));
      assertEquals(1, store.size());
    }

    @Test
    void anUpdateThatMeetsExpiryIsNeverLost() throws InterruptedException {
      int rounds = 30_000;
      AtomicReference<SeriesStore> current = new AtomicReference<>();
      // Odd: the round's update may go; even: it is done; negative: the test ended early.
      // Spinning lines the two threads up closely.
      AtomicInteger phase = new AtomicInteger();
      Thread writer =
          new Thread(
              () -> {
                for (int round = 0; round < rounds; round++) {
                  while (phase.get() != 2 * round + 1) {
                    if (phase.get() < 0) {
                      return;
                    }
                    Thread.onSpinWait();
                  }
                  current.get().update(TEMPERATURE, 2, 2);
                  phase.incrementAndGet();
                }
              });
      writer.start();
      try {
        for (int round = 0; round < rounds; round++) {
          SeriesStore store = store(10);
          store.update(TEMPERATURE, 1, 1);
          clock.advance(EXPIRE_AFTER.plusSeconds(1));
          current.set(store);
          phase.set(2 * round + 1);
          store.removeExpired();
          while (phase.get() != 2 * round + 2) {
            Thread.onSpinWait();
          }

          Sample sample = live(store).get(TEMPERATURE);
          assertEquals(2.0, sample == null ? null : sample.value(), "round " + round);
          assertEquals(1, store.size(), "round " + round);
        }
      } finally {
        phase.set(-1);
        writer.join();
      }
    }
  }
}
