package io.github.sensecapexporter.mqtt;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Tells from how long connections last whether another client probably logs in with the same client
 * id: each login takes over the other's session, so the broker keeps closing connections right
 * after they open.
 */
final class ClientIdConflicts {
  /** A connection closed sooner than this after it opened counts as short. */
  private static final long STABLE_NANOS = Duration.ofSeconds(30).toNanos();

  /** This many short connections in a row make a conflict likely. */
  private static final int LIKELY_AFTER = 3;

  private final LongSupplier nanoTime;
  private long connectedAtNanos;
  private int shortInARow;

  ClientIdConflicts(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  void connected() {
    connectedAtNanos = nanoTime.getAsLong();
  }

  /** Records the end of the connection that opened last; returns whether it was short. */
  boolean lost() {
    boolean wasShort = nanoTime.getAsLong() - connectedAtNanos < STABLE_NANOS;
    shortInARow = wasShort ? shortInARow + 1 : 0;
    return wasShort;
  }

  /** Short connections in a row, up to the last one lost. */
  int shortInARow() {
    return shortInARow;
  }

  boolean likely() {
    return shortInARow >= LIKELY_AFTER;
  }

  /** Starts counting afresh, as after a change of client id. */
  void reset() {
    shortInARow = 0;
  }
}
