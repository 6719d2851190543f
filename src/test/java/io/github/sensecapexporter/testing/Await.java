package io.github.sensecapexporter.testing;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls a condition over real time, for effects that cross threads, sockets and processes. */
public final class Await {
  private Await() {}

  public static void until(Duration timeout, String what, Supplier<Boolean> condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        if (condition.get()) {
          return;
        }
      } catch (RuntimeException e) {
        // Not there yet (a refused connection, say): keep polling until the deadline.
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }
}
