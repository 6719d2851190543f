package io.github.sensecapexporter.mqtt;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.client.mqttv3.internal.CommsCallback;
import org.eclipse.paho.client.mqttv3.internal.CommsReceiver;
import org.eclipse.paho.client.mqttv3.internal.CommsSender;

/**
 * The threads of Paho's clients, made as Paho makes them when given no executor, less the wait that
 * start-up costs there (PERFORMANCE.md, "Paho's start-up sleeps").
 *
 * <p>Each connection starts its receiver, sender and callback threads from the thread that
 * connects, and after each one that thread polls, asleep 100 ms at a time, until the new thread
 * says it runs: it nearly always sleeps once. Here a short-lived watcher sees the new thread run
 * and interrupts the connecting thread, but only while it is in that very sleep, which Paho ends at
 * an interrupt to look again. Should the sleep end by itself just before the interrupt, the flag
 * stays set only until the next submit clears it, or, after the last of the three, until the
 * connecting thread ends: it has then only the CONNECT packet to queue, which waits on nothing.
 *
 * <p>Otherwise, as without an executor: a new platform thread for each task, running the task
 * itself, so that what a task throws reaches the JVM's default handler (UncaughtExceptions, and
 * through it MqttSubscriber#threadFailed); the daemon status of the thread that asks for it; Paho
 * names its threads in their first statement, and until then they are "mqtt-paho", so ThreadKind
 * counts them as MQTT's. Paho 1.2.5 calls {@link #execute} (connect, disconnect, the offline
 * buffer) and {@link #submit(Runnable)} (receiver, sender, callback), and cancels the futures of
 * the latter in their stop(); it never shuts an executor down, and schedules on one only through a
 * ScheduledExecutorPingSender, which the clients here do not use. Everything else is unsupported.
 *
 * <p>One difference: given an executor, Paho cancels the receiver's, sender's and callback's
 * futures when a connection shuts down, and a cancel here interrupts the thread. A read or flush of
 * {@link WebSocketModule} then ends with an InterruptedIOException, which Paho takes, while
 * shutting down, as the end it already knows of; plain and TLS sockets ignore interrupts.
 */
final class PahoThreads implements ScheduledExecutorService {
  static final PahoThreads SHARED = new PahoThreads();

  static final String NAME = "mqtt-paho";
  static final String WATCHER_NAME = "mqtt-paho-wake";

  /** How long a watcher waits for its thread to run and the starter to sleep, at most. */
  private static final long WATCH_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

  /** A thread of Paho's; one that calls {@link #submit} is a starter. */
  private static final class PahoThread extends Thread {
    /** Bumped by this thread at each submit and when its task ends: earlier watchers give up. */
    volatile long moves;

    volatile boolean done;

    PahoThread(Runnable task) {
      super(task, NAME);
    }

    @Override
    public void run() {
      try {
        super.run();
      } finally {
        done = true;
        moves++;
      }
    }
  }

  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task);
    new PahoThread(task).start();
  }

  @Override
  public Future<?> submit(Runnable task) {
    Objects.requireNonNull(task);
    if (task instanceof CommsReceiver receiver) {
      return submit(task, receiver::isRunning, CommsReceiver.class);
    } else if (task instanceof CommsSender sender) {
      return submit(task, sender::isRunning, CommsSender.class);
    } else if (task instanceof CommsCallback callback) {
      return submit(task, callback::isRunning, CommsCallback.class);
    }
    return submit(task, null, null);
  }

  /**
   * Starts {@code task}; if the caller is a thread of these and {@code running} is given, the
   * caller is woken from a sleep in {@code starting.start} once {@code running} holds.
   */
  Future<?> submit(Runnable task, BooleanSupplier running, Class<?> starting) {
    Objects.requireNonNull(task);
    PahoThread thread = new PahoThread(task);
    Task future = new Task(thread);
    if (Thread.currentThread() instanceof PahoThread starter) {
      // Only watchers interrupt a starter. One whose sleep ended by itself just before the
      // interrupt keeps the flag this far, through nothing that waits; it must not go further.
      Thread.interrupted();
      long move = ++starter.moves;
      thread.start();
      if (running != null) {
        watch(starter, move, thread, running, starting.getName());
      }
    } else {
      thread.start();
    }
    return future;
  }

  private static void watch(
      PahoThread starter, long move, PahoThread thread, BooleanSupplier running, String starting) {
    Thread watcher =
        new Thread(
            () -> {
              long deadline = System.nanoTime() + WATCH_NANOS;
              while (starter.moves == move && System.nanoTime() - deadline < 0) {
                if (!running.getAsBoolean()) {
                  if (thread.done) {
                    return;
                  }
                } else if (starter.getState() == Thread.State.TIMED_WAITING) {
                  // Asleep somewhere else means it has gone on: it saw the thread run itself.
                  if (starter.moves == move && asleepIn(starter.getStackTrace(), starting)) {
                    starter.interrupt();
                  }
                  return;
                }
                LockSupport.parkNanos(POLL_NANOS);
              }
            },
            WATCHER_NAME);
    watcher.setDaemon(true);
    watcher.start();
  }

  /** Whether {@code frames} are those of a thread asleep in {@code starting}'s start method. */
  static boolean asleepIn(StackTraceElement[] frames, String starting) {
    int i = 0;
    boolean sleeping = false;
    while (i < frames.length && frames[i].getClassName().equals("java.lang.Thread")) {
      sleeping |= frames[i].getMethodName().startsWith("sleep");
      i++;
    }
    return sleeping
        && i < frames.length
        && frames[i].getClassName().equals(starting)
        && frames[i].getMethodName().equals("start");
  }

  /**
   * The future of a submitted task. Cancelling it interrupts the task's thread, unless that is the
   * thread cancelling: Paho's threads cancel their own futures when they shut their connection
   * down, and the interrupt would outlive the stop, into the callbacks that follow it. The task
   * runs even if cancelled before it began, as a thread of Paho's own would.
   */
  private static final class Task implements Future<Object> {
    private final PahoThread thread;
    private volatile boolean cancelled;

    Task(PahoThread thread) {
      this.thread = thread;
    }

    @Override
    public synchronized boolean cancel(boolean mayInterruptIfRunning) {
      if (cancelled || thread.done) {
        return false;
      }
      cancelled = true;
      if (mayInterruptIfRunning && thread != Thread.currentThread()) {
        thread.interrupt();
      }
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return cancelled || thread.done;
    }

    @Override
    public Object get() throws InterruptedException {
      if (!cancelled) {
        thread.join();
      }
      return result();
    }

    @Override
    public Object get(long timeout, TimeUnit unit) throws InterruptedException, TimeoutException {
      if (!cancelled) {
        thread.join(Math.max(1, unit.toMillis(timeout)));
        if (!thread.done) {
          throw new TimeoutException();
        }
      }
      return result();
    }

    private Object result() {
      if (cancelled) {
        throw new CancellationException();
      }
      return null;
    }
  }

  @Override
  public void shutdown() {
    throw unsupported();
  }

  @Override
  public List<Runnable> shutdownNow() {
    throw unsupported();
  }

  @Override
  public boolean isShutdown() {
    return false;
  }

  @Override
  public boolean isTerminated() {
    return false;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    throw unsupported();
  }

  @Override
  public <T> Future<T> submit(Callable<T> task) {
    throw unsupported();
  }

  @Override
  public <T> Future<T> submit(Runnable task, T result) {
    throw unsupported();
  }

  @Override
  public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) {
    throw unsupported();
  }

  @Override
  public <T> List<Future<T>> invokeAll(
      Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) {
    throw unsupported();
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks) {
    throw unsupported();
  }

  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) {
    throw unsupported();
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    throw unsupported();
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    throw unsupported();
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw unsupported();
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    throw unsupported();
  }

  private static UnsupportedOperationException unsupported() {
    return new UnsupportedOperationException("Paho 1.2.5 only executes and submits tasks");
  }
}
