package io.github.sensecapexporter.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.testing.LogCapture;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UncaughtExceptionsTest {
  private static final String SECRET = "6A1F0C3E9B2D4E7F8A9B0C1D2E3F4A5B";

  private final List<String> reported = new CopyOnWriteArrayList<>();
  private final Consumer<String> listener = reported::add;
  private Thread.UncaughtExceptionHandler previous;

  @BeforeEach
  void install() {
    previous = Thread.getDefaultUncaughtExceptionHandler();
    UncaughtExceptions.install(List.of(SECRET, ""));
    UncaughtExceptions.addListener(listener);
  }

  @AfterEach
  void restore() {
    UncaughtExceptions.removeListener(listener);
    UncaughtExceptions.install(List.of());
    Thread.setDefaultUncaughtExceptionHandler(previous);
  }

  private static void dies(String threadName, RuntimeException failure) throws Exception {
    Thread thread =
        new Thread(
            () -> {
              // As Paho's threads do: they start with the JVM's name and rename themselves.
              Thread.currentThread().setName(threadName);
              throw failure;
            });
    thread.start();
    thread.join();
  }

  @Test
  void aDeadThreadIsLoggedOnceWithItsNameAndHandedToTheListeners() throws Exception {
    try (LogCapture logs = new LogCapture(Level.INFO)) {
      dies("MQTT Rec: org-1-abc", new IllegalArgumentException("QoS 3"));
      assertEquals(List.of("MQTT Rec: org-1-abc"), reported);
      assertEquals(
          List.of(
              "SEVERE uncaught exception in thread MQTT Rec: org-1-abc:"
                  + " java.lang.IllegalArgumentException: QoS 3"),
          logs.linesFrom(UncaughtExceptions.class));
    }
  }

  @Test
  void theStackTraceGoesToDebugOnOneLine() throws Exception {
    try (LogCapture logs = new LogCapture(Level.FINE)) {
      dies("MQTT Call: org-1-abc", new IllegalStateException("broken"));
      assertEquals(1, logs.count(Level.SEVERE, "MQTT Call: org-1-abc"));
      assertEquals(1, logs.count(Level.FINE, "stack trace in thread MQTT Call: org-1-abc"));
      String trace =
          logs.lines().stream().filter(line -> line.startsWith("FINE")).findFirst().orElseThrow();
      assertTrue(trace.contains("|at "), trace);
      assertFalse(trace.contains("\n"), trace);
    }
  }

  @Test
  void aSecretInTheMessageIsNeverLogged() throws Exception {
    try (LogCapture logs = new LogCapture(Level.FINEST)) {
      dies("http", new IllegalStateException("password " + SECRET + " refused"));
      assertEquals(2, logs.linesFrom(UncaughtExceptions.class).size());
      for (String line : logs.linesFrom(UncaughtExceptions.class)) {
        assertFalse(line.contains(SECRET), line);
        assertTrue(line.contains("password (redacted) refused"), line);
      }
    }
  }

  @Test
  void aFailingListenerDoesNotKeepTheOthersFromHearing() throws Exception {
    Consumer<String> failing =
        name -> {
          throw new IllegalStateException("listener broken");
        };
    UncaughtExceptions.addListener(failing);
    List<String> after = new CopyOnWriteArrayList<>();
    Consumer<String> collecting = after::add;
    UncaughtExceptions.addListener(collecting);
    try (LogCapture logs = new LogCapture(Level.INFO)) {
      dies("housekeeping", new IllegalStateException("sweep"));
      assertEquals(List.of("housekeeping"), after);
      assertEquals(1, logs.count(Level.WARNING, "listener broken"));
    } finally {
      UncaughtExceptions.removeListener(failing);
      UncaughtExceptions.removeListener(collecting);
    }
  }

  @Test
  void aGuardedScheduledTaskThatThrowsIsReportedAndRunsAgain() throws Exception {
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("housekeeping"));
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch ranAgain = new CountDownLatch(1);
    try (LogCapture logs = new LogCapture(Level.INFO)) {
      scheduler.scheduleAtFixedRate(
          UncaughtExceptions.guarded(
              () -> {
                if (runs.incrementAndGet() == 1) {
                  throw new IllegalStateException("disk full");
                }
                ranAgain.countDown();
              }),
          0,
          1,
          TimeUnit.MILLISECONDS);
      assertTrue(ranAgain.await(10, TimeUnit.SECONDS), "the schedule stopped");
      assertEquals(List.of("housekeeping"), reported);
      assertEquals(1, logs.count(Level.SEVERE, "in thread housekeeping"));
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void anErrorInAGuardedTaskIsReportedAndThrownOn() {
    Runnable task =
        UncaughtExceptions.guarded(
            () -> {
              throw new OutOfMemoryError("made up");
            });
    try (LogCapture logs = new LogCapture(Level.INFO)) {
      assertThrows(OutOfMemoryError.class, task::run);
      assertEquals(1, logs.count(Level.SEVERE, "java.lang.OutOfMemoryError: made up"));
      assertEquals(List.of(Thread.currentThread().getName()), reported);
    }
  }
}
