package io.github.sensecapexporter.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
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

  private final ConcurrentHashMap<SeriesKey, Slot> series = new ConcurrentHashMap<>();
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
      Slot slot = series.get(key);
      if (slot == null) {
        if (size.get() >= maxSeries) {
          return Outcome.SERIES_LIMIT;
        }
        if (insert(key, new Slot(value, timestampMillis, now))) {
          return Outcome.STORED;
        }
      } else {
        Outcome outcome = slot.write(value, timestampMillis, now);
        if (outcome != null) {
          return outcome;
        }
        // The slot expired and left the map meanwhile: the reading starts the series anew.
      }
    }
  }

  /**
   * Puts back a sample saved before a restart, unless it has expired meanwhile, its series exists
   * already or the store is full. Returns whether it was kept.
   */
  public boolean restore(SeriesKey key, Sample sample) {
    return sample.receivedMillis() >= clock.millis() - expireAfterMillis
        && insert(key, new Slot(sample.value(), sample.timestampMillis(), sample.receivedMillis()));
  }

  /** Adds a new series; false when it exists or the store is full. */
  private boolean insert(SeriesKey key, Slot slot) {
    // Reserve a place before inserting, so that concurrent writers never pass the limit.
    if (size.incrementAndGet() > maxSeries) {
      size.decrementAndGet();
      return false;
    }
    if (series.putIfAbsent(key, slot) == null) {
      return true;
    }
    size.decrementAndGet();
    return false;
  }

  /**
   * Receives a series' latest sample field by field, so that a scrape makes no object per series.
   */
  @FunctionalInterface
  public interface SampleVisitor {
    void visit(SeriesKey key, double value, long timestampMillis, long receivedMillis);
  }

  /** Calls {@code visitor} for every series that has not expired. */
  public void forEachLive(SampleVisitor visitor) {
    long oldest = clock.millis() - expireAfterMillis;
    // forEach, not entrySet(): no entry object per series on every scrape.
    series.forEach((key, slot) -> slot.visitIfReceivedSince(oldest, key, visitor));
  }

  /** Removes the series that received nothing for {@code expireAfter}; returns how many. */
  public int removeExpired() {
    long oldest = clock.millis() - expireAfterMillis;
    int removed = 0;
    for (Map.Entry<SeriesKey, Slot> entry : series.entrySet()) {
      if (entry.getValue().removeIfOlderThan(oldest, entry.getKey(), series)) {
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
   * The latest sample of one series, overwritten in place. A new object per reading would leave a
   * reference from the long-lived map to a young object on every message, which every young
   * collection must then find and copy while the MQTT callback stands still: at 100,000 series and
   * 25,000 msg/s, pauses of 12-54 ms against the ~40 ms that mosquitto queues before dropping.
   *
   * <p>Writers take the slot's lock; readers do not, and retry while a write is under way, told by
   * an odd {@code version} (a sequence lock, read as {@link
   * java.util.concurrent.locks.StampedLock}'s optimistic reads are); only a reader that keeps
   * meeting a write takes the lock, for as long as it takes to copy three fields.
   */
  private static final class Slot {
    private static final int OPTIMISTIC_READS = 64;
    private static final VarHandle VERSION;

    static {
      try {
        VERSION = MethodHandles.lookup().findVarHandle(Slot.class, "version", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    /** Odd while a write is under way; read and written through {@link #VERSION}. */
    private int version;

    private double value;
    private long timestampMillis;
    private long receivedMillis;

    /** Guarded by this: the slot has left the map, and a write must go to a new one. */
    private boolean removed;

    Slot(double value, long timestampMillis, long receivedMillis) {
      this.value = value;
      this.timestampMillis = timestampMillis;
      this.receivedMillis = receivedMillis;
    }

    /** Stores the reading unless an older one; null when the slot has left the map. */
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
    void visitIfReceivedSince(long oldest, SeriesKey key, SampleVisitor visitor) {
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
        visitor.visit(key, seenValue, seenTimestamp, seenReceived);
      }
    }

    /** Under the lock, so that no write lands in a slot on its way out of the map. */
    synchronized boolean removeIfOlderThan(
        long oldest, SeriesKey key, ConcurrentHashMap<SeriesKey, Slot> series) {
      if (receivedMillis >= oldest || !series.remove(key, this)) {
        return false;
      }
      removed = true;
      return true;
    }
  }
}
