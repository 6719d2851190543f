package io.github.sensecapexporter.logging;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs at most one line per key and interval and counts the rest, so that a flood of bad messages
 * costs a few lines, not the disk.
 */
public final class RateLimitedLog {
  private final Logger logger;
  private final Clock clock;
  private final long intervalMillis;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  private static final class Window {
    volatile long openedMillis = Long.MIN_VALUE;
    final AtomicLong suppressed = new AtomicLong();
  }

  public RateLimitedLog(Logger logger, Clock clock, Duration interval) {
    this.logger = logger;
    this.clock = clock;
    this.intervalMillis = interval.toMillis();
  }

  /** Logs {@code message} unless a line for {@code key} was logged less than an interval ago. */
  public void log(Level level, String key, String message) {
    if (!logger.isLoggable(level)) {
      return;
    }
    Window window = windows.computeIfAbsent(key, k -> new Window());
    long now = clock.millis();
    synchronized (window) {
      if (window.openedMillis != Long.MIN_VALUE && now - window.openedMillis < intervalMillis) {
        window.suppressed.incrementAndGet();
        return;
      }
      window.openedMillis = now;
    }
    long suppressed = window.suppressed.getAndSet(0);
    logger.log(
        level,
        suppressed == 0 ? message : message + " (" + suppressed + " more like it not logged)");
  }
}
