package io.github.sensecapexporter.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The latest sample of every series, as graphite_exporter keeps pushed data: written by the MQTT
 * callback, read by scrapes, which take no lock the callback waits for (save a series a scrape
 * meets mid-write 64 times running, and then for the time it takes to copy three fields).
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

  /** Each series is its own key: the map's key and value are the same object. */
  private final ConcurrentHashMap<SeriesKey, Series> series = new ConcurrentHashMap<>();

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
    long now = clock.millis();
    while (true) {
      Series held = series.get(key);
      if (held == null) {
        if (size.get() >= maxSeries) {
          return Outcome.SERIES_LIMIT;
        }
        if (insert(new Series(key, value, timestampMillis, now))) {
          return Outcome.STORED;
        }
      } else {
        Outcome outcome = held.write(value, timestampMillis, now);
        if (outcome != null) {
          return outcome;
        }
        // The series expired and left the map meanwhile: the reading starts it anew.
      }
    }
  }

  /**
   * Puts back a sample saved before a restart, unless it has expired meanwhile, its series exists
   * already or the store is full. Returns whether it was kept.
   */
  public boolean restore(SeriesKey key, Sample sample) {
    return sample.receivedMillis() >= clock.millis() - expireAfterMillis
        && insert(
            new Series(key, sample.value(), sample.timestampMillis(), sample.receivedMillis()));
  }

  /** Adds a new series; false when it exists or the store is full. */
  private boolean insert(Series fresh) {
    // Reserve a place before inserting, so that concurrent writers never pass the limit.
    if (size.incrementAndGet() > maxSeries) {
      size.decrementAndGet();
      return false;
    }
    if (series.putIfAbsent(fresh, fresh) == null) {
      return true;
    }
    size.decrementAndGet();
    return false;
  }

  /**
   * Receives a series' latest sample field by field, so that a scrape makes no object per series.
   * The key it is given is the stored series itself, whose lock the MQTT thread takes to write:
   * never lock it.
   */
  @FunctionalInterface
  public interface SampleVisitor {
    void visit(SeriesKey key, double value, long timestampMillis, long receivedMillis);
  }

  /** Calls {@code visitor} for every series that has not expired. */
  public void forEachLive(SampleVisitor visitor) {
    long oldest = clock.millis() - expireAfterMillis;
    // The values view's forEach makes no entry object per series on every scrape.
    series.values().forEach(held -> held.visitIfReceivedSince(oldest, visitor));
  }

  /** Removes the series that received nothing for {@code expireAfter}; returns how many. */
  public int removeExpired() {
    long oldest = clock.millis() - expireAfterMillis;
    int removed = 0;
    for (Series held : series.values()) {
      if (held.removeIfOlderThan(oldest, series)) {
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

  /**
   * A series: its key, and its latest sample overwritten in place. A new object per reading would
   * leave a reference from the long-lived map to a young object on every message, which every young
   * collection must then find and copy while the MQTT callback stands still: at 100,000 series and
   * 25,000 msg/s, pauses of 12-54 ms against the ~40 ms that mosquitto queues before dropping.
   *
   * <p>Writers take the series' lock; readers do not, and retry while a write is under way, told by
   * an odd {@code version} (a sequence lock, read as {@link
   * java.util.concurrent.locks.StampedLock}'s optimistic reads are); only a reader that keeps
   * meeting a write takes the lock, for as long as it takes to copy three fields.
   */
  static final class Series extends SeriesKey {
    private static final int OPTIMISTIC_READS = 64;
    private static final VarHandle VERSION;

    static {
      try {
        VERSION = MethodHandles.lookup().findVarHandle(Series.class, "version", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    /** Odd while a write is under way; read and written through {@link #VERSION}. */
    private int version;

    private double value;
    private long timestampMillis;
    private long receivedMillis;

    /** Guarded by this: the series has left the map, and a write must go to a new one. */
    private boolean removed;

    private Series(SeriesKey key, double value, long timestampMillis, long receivedMillis) {
      super(key);
      this.value = value;
      this.timestampMillis = timestampMillis;
      this.receivedMillis = receivedMillis;
    }

    /** Stores the reading unless an older one; null when the series has left the map. */
    synchronized Outcome write(double value, long timestampMillis, long receivedMillis) {
      if (removed) {
        return null;
      }
      if (timestampMillis < this.timestampMillis) {
        return Outcome.OUT_OF_ORDER;
      }
      int odd = version + 1;
      VERSION.setOpaque(this, odd);
      VarHandle.storeStoreFence(); // the odd version is seen before any field
      this.value = value;
      this.timestampMillis = timestampMillis;
      this.receivedMillis = receivedMillis;
      VERSION.setRelease(this, odd + 1); // every field is seen before the even version
      return Outcome.STORED;
    }

    /** Gives {@code visitor} a consistent sample, if it arrived at {@code oldest} or later. */
    void visitIfReceivedSince(long oldest, SampleVisitor visitor) {
      double seenValue;
      long seenTimestamp;
      long seenReceived;
      for (int tries = 1; ; tries++) {
        int before = (int) VERSION.getAcquire(this);
        seenValue = value;
        seenTimestamp = timestampMillis;
        seenReceived = receivedMillis;
        VarHandle.acquireFence(); // the fields are read before the version is again
        if ((before & 1) == 0 && before == (int) VERSION.getAcquire(this)) {
          break;
        }
        if (tries == OPTIMISTIC_READS) {
          // The writer was perhaps descheduled mid-write: wait for it instead of spinning.
          synchronized (this) {
            seenValue = value;
            seenTimestamp = timestampMillis;
            seenReceived = receivedMillis;
          }
          break;
        }
        Thread.onSpinWait();
      }
      if (seenReceived >= oldest) {
        visitor.visit(this, seenValue, seenTimestamp, seenReceived);
      }
    }

    /**
     * Under the lock, so that no write lands in a series on its way out of the map. The map
     * compares values by their labels, so only a series not yet removed, and therefore the one the
     * map holds, may ask it to remove itself: never a newer series of the same labels.
     */
    synchronized boolean removeIfOlderThan(
        long oldest, ConcurrentHashMap<SeriesKey, Series> series) {
      if (removed || receivedMillis >= oldest || !series.remove(this, this)) {
        return false;
      }
      removed = true;
      return true;
    }
  }
}
