package io.github.sensecapexporter.concurrent;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long to wait before the next attempt: doubles from the initial delay up to the cap, with
 * jitter, so that many exporters that lost the same broker do not come back all at once.
 */
public final class Backoff {
  private final long initialMillis;
  private final long capMillis;
  private final RandomGenerator random;

  public Backoff(Duration initial, Duration cap, RandomGenerator random) {
    this.capMillis = cap.toMillis();
    this.initialMillis = Math.min(capMillis, initial.toMillis());
    this.random = random;
  }

  /** The wait after {@code failures} failures in a row: between half the step and the step. */
  public long delayMillis(int failures) {
    long step = initialMillis;
    for (int i = 1; i < failures && step < capMillis; i++) {
      step = Math.min(capMillis, step * 2);
    }
    return step / 2 + random.nextLong(step / 2 + 1);
  }
}
