package io.github.sensecapexporter.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.metrics.ThreadKind;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.TimerPingSender;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PahoThreadsTest {
  private static final long SECONDS = 10;
  private final PahoThreads threads = new PahoThreads();

  /** What Paho's CommsReceiver, CommsSender and CommsCallback do to start their threads. */
  static final class Starting implements Runnable {
    private final Object lifecycle = new Object();
    private final long delayMillis;
    private boolean running;

    Starting(long delayMillis) {
      this.delayMillis = delayMillis;
    }

    void start(PahoThreads threads) {
      synchronized (lifecycle) {
        threads.submit(this, this::isRunning, Starting.class);
      }
      while (!isRunning()) {
        try {
          Thread.sleep(100);
        } catch (Exception e) {
          // as Paho: look again
        }
      }
    }

    boolean isRunning() {
      synchronized (lifecycle) {
        return running;
      }
    }

    @Override
    public void run() {
      try {
        Thread.sleep(delayMillis);
      } catch (InterruptedException e) {
        return;
      }
      synchronized (lifecycle) {
        running = true;
      }
    }
  }

  /** Runs {@code body} on a thread of {@code threads}, as Paho runs its connecting task. */
  private static <T> T onStarter(PahoThreads threads, java.util.concurrent.Callable<T> body)
      throws Exception {
    BlockingQueue<Object> result = new LinkedBlockingQueue<>();
    threads.execute(
        () -> {
          try {
            result.add(Optional.ofNullable((Object) body.call()));
          } catch (Exception e) {
            result.add(e);
          }
        });
    Object value = result.poll(SECONDS, TimeUnit.SECONDS);
    if (value instanceof Exception e) {
      throw e;
    }
    @SuppressWarnings("unchecked")
    T typed = (T) ((Optional<?>) value).orElse(null);
    return typed;
  }

  @Test
  void aStarterIsWokenFromItsSleepOnceTheThreadRuns() throws Exception {
    for (int i = 0; i < 5; i++) {
      long millis =
          onStarter(
              threads,
              () -> {
                long t0 = System.nanoTime();
                // Long enough that the starter is asleep when the thread runs.
                new Starting(10).start(threads);
                long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertFalse(Thread.currentThread().isInterrupted(), "interrupt left behind");
                return took;
              });
      // Not woken, the starter sleeps its full 100 ms before it looks again.
      assertTrue(millis < 100, "start took " + millis + " ms: the sleep ran its course");
    }
  }

  /**
   * Paho's own connect, against a broker that only accepts: it starts three threads, each of which
   * costs a sleep of 100 ms with Paho's own threads.
   */
  @Test
  void pahoConnectsWithoutItsStartUpSleeps() throws Exception {
    try (ServerSocket broker = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread accepting =
          new Thread(
              () -> {
                try (Socket socket = broker.accept()) {
                  socket.getInputStream().read(new byte[256]);
                  socket.getOutputStream().write(new byte[] {0x20, 0x02, 0x00, 0x00});
                  socket.getInputStream().read();
                } catch (IOException e) {
                  // the client went
                }
              });
      accepting.setDaemon(true);
      accepting.start();
      MqttAsyncClient client =
          new MqttAsyncClient(
              "tcp://127.0.0.1:" + broker.getLocalPort(),
              "paho-threads-test",
              new MemoryPersistence(),
              new TimerPingSender(),
              threads);
      try {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        long t0 = System.nanoTime();
        client.connect(options).waitForCompletion(TimeUnit.SECONDS.toMillis(SECONDS));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        // Paho's own threads sleep 100 ms after each of the three starts.
        assertTrue(millis < 300, "connect took " + millis + " ms: the sleeps ran their course");
      } finally {
        client.disconnectForcibly(0, 0, false);
        client.close(true);
      }
    }
  }

  /** As the subscriber's reconnects do, many times over: every thread of each connection ends. */
  @Test
  void reconnectingLeavesNoThreadBehind() throws Exception {
    String id = "paho-threads-reconnects";
    try (ServerSocket broker = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread accepting =
          new Thread(
              () -> {
                while (!broker.isClosed()) {
                  try {
                    Socket socket = broker.accept();
                    socket.getInputStream().read(new byte[256]);
                    socket.getOutputStream().write(new byte[] {0x20, 0x02, 0x00, 0x00});
                    Thread drain =
                        new Thread(
                            () -> {
                              try (socket) {
                                while (socket.getInputStream().read() >= 0) {
                                  // until the client goes
                                }
                              } catch (IOException e) {
                                // gone
                              }
                            });
                    drain.setDaemon(true);
                    drain.start();
                  } catch (IOException e) {
                    // closed
                  }
                }
              });
      accepting.setDaemon(true);
      accepting.start();
      MqttConnectOptions options = new MqttConnectOptions();
      options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
      for (int i = 0; i < 30; i++) {
        MqttAsyncClient client =
            new MqttAsyncClient(
                "tcp://127.0.0.1:" + broker.getLocalPort(),
                id,
                new MemoryPersistence(),
                new TimerPingSender(),
                threads);
        client.connect(options).waitForCompletion(TimeUnit.SECONDS.toMillis(SECONDS));
        if (i % 2 == 0) {
          client.disconnect(0).waitForCompletion(TimeUnit.SECONDS.toMillis(SECONDS));
        } else {
          client.disconnectForcibly(0, 0, false);
        }
        client.close(true);
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
    List<String> left = List.of();
    do {
      Thread.sleep(20);
      left =
          Thread.getAllStackTraces().keySet().stream()
              .map(Thread::getName)
              .filter(
                  name ->
                      name.endsWith(": " + id)
                          || name.equals(PahoThreads.NAME)
                          || name.equals(PahoThreads.WATCHER_NAME))
              .toList();
    } while (!left.isEmpty() && System.nanoTime() < deadline);
    assertEquals(List.of(), left);
  }

  @Test
  void aStarterAsleepElsewhereIsLeftAlone() throws Exception {
    long millis =
        onStarter(
            threads,
            () -> {
              // The thread runs while the starter sleeps, but not in Starting.start.
              threads.submit(new Starting(0), () -> true, Starting.class);
              long t0 = System.nanoTime();
              Thread.sleep(300);
              long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
              assertFalse(Thread.currentThread().isInterrupted());
              return took;
            });
    assertTrue(millis >= 300, "slept " + millis + " ms");
  }

  @Test
  void theNextSubmitClearsAStrayInterrupt() throws Exception {
    boolean interrupted =
        onStarter(
            threads,
            () -> {
              Thread.currentThread().interrupt();
              threads.submit(() -> {}, null, null);
              return Thread.currentThread().isInterrupted();
            });
    assertFalse(interrupted);
  }

  @Test
  void aCallerNotOfTheseThreadsIsNeitherWokenNorCleared() throws Exception {
    Thread.currentThread().interrupt();
    try {
      threads.submit(() -> {}, () -> true, Starting.class);
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
  }

  private Thread.UncaughtExceptionHandler previous;

  @BeforeEach
  void keepTheHandler() {
    previous = Thread.getDefaultUncaughtExceptionHandler();
  }

  @AfterEach
  void restoreTheHandler() {
    Thread.setDefaultUncaughtExceptionHandler(previous);
  }

  @Test
  void whatATaskThrowsReachesTheDefaultHandlerUnwrapped() throws Exception {
    BlockingQueue<Object[]> seen = new LinkedBlockingQueue<>();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> seen.add(new Object[] {t.getName(), e}));
    IllegalStateException executed = new IllegalStateException("executed");
    IllegalStateException submitted = new IllegalStateException("submitted");
    threads.execute(
        () -> {
          Thread.currentThread().setName("MQTT Con: x");
          throw executed;
        });
    Object[] first = seen.poll(SECONDS, TimeUnit.SECONDS);
    assertEquals("MQTT Con: x", first[0]);
    assertSame(executed, first[1]);
    Future<?> future =
        threads.submit(
            (Runnable)
                () -> {
                  Thread.currentThread().setName("MQTT Rec: x");
                  throw submitted;
                });
    Object[] second = seen.poll(SECONDS, TimeUnit.SECONDS);
    assertEquals("MQTT Rec: x", second[0]);
    assertSame(submitted, second[1]);
    assertEquals(ThreadKind.MQTT, ThreadKind.of((String) second[0]));
    future.get(SECONDS, TimeUnit.SECONDS);
    assertTrue(future.isDone());
  }

  @Test
  void cancellingInterruptsTheTasksThread() throws Exception {
    CountDownLatch waiting = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    Future<?> future =
        threads.submit(
            () -> {
              try {
                waiting.countDown();
                Thread.sleep(TimeUnit.SECONDS.toMillis(SECONDS));
              } catch (InterruptedException e) {
                interrupted.countDown();
              }
            });
    assertTrue(waiting.await(SECONDS, TimeUnit.SECONDS));
    assertTrue(future.cancel(true));
    assertTrue(interrupted.await(SECONDS, TimeUnit.SECONDS));
    assertTrue(future.isCancelled());
    assertTrue(future.isDone());
    assertFalse(future.cancel(true));
  }

  @Test
  void aTaskCancellingItsOwnFutureIsNotInterrupted() throws Exception {
    AtomicReference<Future<?>> self = new AtomicReference<>();
    CountDownLatch submitted = new CountDownLatch(1);
    BlockingQueue<Boolean> interrupted = new LinkedBlockingQueue<>();
    self.set(
        threads.submit(
            () -> {
              try {
                submitted.await();
              } catch (InterruptedException e) {
                return;
              }
              self.get().cancel(true);
              interrupted.add(Thread.currentThread().isInterrupted());
            }));
    submitted.countDown();
    assertEquals(Boolean.FALSE, interrupted.poll(SECONDS, TimeUnit.SECONDS));
  }

  @Test
  void threadsAreNamedForMqttAndInheritTheCallersDaemonStatus() throws Exception {
    for (boolean daemon : List.of(true, false)) {
      BlockingQueue<Object[]> seen = new LinkedBlockingQueue<>();
      Thread caller =
          new Thread(
              () -> {
                threads.execute(
                    () ->
                        seen.add(
                            new Object[] {
                              Thread.currentThread().getName(), Thread.currentThread().isDaemon()
                            }));
                threads.submit(
                    (Runnable)
                        () ->
                            seen.add(
                                new Object[] {
                                  Thread.currentThread().getName(),
                                  Thread.currentThread().isDaemon()
                                }));
              });
      caller.setDaemon(daemon);
      caller.start();
      for (int i = 0; i < 2; i++) {
        Object[] thread = seen.poll(SECONDS, TimeUnit.SECONDS);
        assertEquals(PahoThreads.NAME, thread[0]);
        assertEquals(ThreadKind.MQTT, ThreadKind.of((String) thread[0]));
        assertEquals(daemon, thread[1]);
      }
      assertEquals(ThreadKind.MQTT, ThreadKind.of(PahoThreads.WATCHER_NAME));
    }
  }

  @Test
  void noThreadOutlivesItsTask() throws Exception {
    for (int i = 0; i < 50; i++) {
      onStarter(
          threads,
          () -> {
            new Starting(1).start(threads);
            return null;
          });
    }
    AtomicBoolean gone = new AtomicBoolean();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
    while (!gone.get() && System.nanoTime() < deadline) {
      gone.set(
          Thread.getAllStackTraces().keySet().stream()
              .noneMatch(
                  t ->
                      t.getName().equals(PahoThreads.NAME)
                          || t.getName().equals(PahoThreads.WATCHER_NAME)));
      Thread.sleep(10);
    }
    assertTrue(gone.get(), "threads left running");
  }

  @Test
  void whatPahoNeverCallsIsUnsupported() {
    assertThrows(UnsupportedOperationException.class, threads::shutdown);
    assertThrows(
        UnsupportedOperationException.class, () -> threads.schedule(() -> {}, 1, TimeUnit.SECONDS));
    assertThrows(UnsupportedOperationException.class, () -> threads.submit(() -> 1));
  }
}
