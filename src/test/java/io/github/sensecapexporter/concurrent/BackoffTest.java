package io.github.sensecapexporter.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {
  /** Jitter that always draws {@code 0} or always the top of the range. */
  private static RandomGenerator drawing(boolean highest) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        throw new UnsupportedOperationException("only bounded draws are expected");
      }

      @Override
      public long nextLong(long bound) {
        return highest ? bound - 1 : 0;
      }
    };
  }

  private static Backoff backoff(long initialMillis, long capMillis, boolean highest) {
    return new Backoff(
        Duration.ofMillis(initialMillis), Duration.ofMillis(capMillis), drawing(highest));
  }

  @Test
  void doublesFromTheInitialDelayUpToTheCap() {
    Backoff top = backoff(100, 1000, true);
    assertEquals(100, top.delayMillis(1));
    assertEquals(200, top.delayMillis(2));
    assertEquals(400, top.delayMillis(3));
    assertEquals(800, top.delayMillis(4));
    assertEquals(1000, top.delayMillis(5));
    assertEquals(1000, top.delayMillis(50));
  }

  @Test
  void jitterTakesUpToHalfOfTheStepAway() {
    Backoff bottom = backoff(100, 1000, false);
    assertEquals(50, bottom.delayMillis(1));
    assertEquals(400, bottom.delayMillis(4));
    assertEquals(500, bottom.delayMillis(9));
  }

  @Test
  void noFailureYetWaitsTheInitialDelay() {
    assertEquals(100, backoff(100, 1000, true).delayMillis(0));
  }

  @Test
  void anInitialDelayAboveTheCapIsCapped() {
    assertEquals(300, backoff(5000, 300, true).delayMillis(1));
  }

  @Test
  void aHugeNumberOfFailuresDoesNotOverflow() {
    assertEquals(60_000, backoff(1, 60_000, true).delayMillis(Integer.MAX_VALUE));
  }
}
