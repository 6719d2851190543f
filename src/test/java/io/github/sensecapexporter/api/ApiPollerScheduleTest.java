package io.github.sensecapexporter.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.testing.Await;
import io.github.sensecapexporter.testing.LogCapture;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** The poller's thread and schedule, with a poll that the test writes. */
class ApiPollerScheduleTest {
  private static final Duration BOUND = Duration.ofSeconds(30);

  @Test
  void theScheduleRunsOnADaemonThreadSurvivesAnExceptionAndEndsOnClose() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    AtomicBoolean daemon = new AtomicBoolean(true);
    AtomicBoolean interrupted = new AtomicBoolean();
    CountDownLatch blocking = new CountDownLatch(1);
    Runnable poll =
        () -> {
          daemon.compareAndSet(true, Thread.currentThread().isDaemon());
          int run = runs.incrementAndGet();
          if (run == 1) {
            throw new IllegalStateException("a bug in one poll");
          }
          if (run == 3) {
            blocking.countDown();
            try {
              Thread.sleep(BOUND.toMillis());
            } catch (InterruptedException e) {
              interrupted.set(true);
            }
          }
        };
    try (LogCapture log = new LogCapture(Level.SEVERE)) {
      ApiPoller poller =
          ApiPoller.schedule(poll, Duration.ofMillis(1), Executors.newCachedThreadPool());
      try {
        Await.until(BOUND, "the third poll", () -> blocking.getCount() == 0);
      } finally {
        poller.close();
      }
      assertTrue(daemon.get(), "a poll ran on a thread that keeps the JVM alive");
      assertEquals(1, log.count(Level.SEVERE, "a bug in one poll"), log.lines().toString());
      assertTrue(interrupted.get(), "close did not interrupt the poll under way");
      // close waited for that poll to end, and nothing runs after it.
      assertEquals(3, runs.get());
    }
  }
}
