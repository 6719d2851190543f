package io.github.sensecapexporter.concurrent;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sees that no thread dies silently, ours or a library's: an exception that nothing caught is
 * logged once in the log format and handed, with the name of its thread, to every listener. The
 * JVM's own default handler would print a stack trace to standard error, outside the log format,
 * and nobody would count it.
 */
public final class UncaughtExceptions {
  private static final Logger LOG = Logger.getLogger(UncaughtExceptions.class.getName());
  private static final String MASK = "(redacted)";
  private static final List<Consumer<String>> LISTENERS = new CopyOnWriteArrayList<>();
  private static volatile List<String> secrets = List.of();

  private UncaughtExceptions() {}

  /**
   * Becomes the JVM's default handler for threads that die of an exception; {@code secrets} never
   * appear in what it logs, whatever an exception's message holds.
   */
  public static void install(Collection<String> secrets) {
    UncaughtExceptions.secrets = secrets.stream().filter(secret -> !secret.isEmpty()).toList();
    Thread.setDefaultUncaughtExceptionHandler(
        (thread, failure) -> report(thread.getName(), failure));
  }

  /** {@code listener} gets the name of the thread of every failure from now on. */
  public static void addListener(Consumer<String> listener) {
    LISTENERS.add(listener);
  }

  public static void removeListener(Consumer<String> listener) {
    LISTENERS.remove(listener);
  }

  /**
   * {@code task} for a {@link java.util.concurrent.ScheduledExecutorService}, which keeps what a
   * task throws in a future nobody reads and stops repeating it: a runtime exception is reported
   * and the schedule goes on; an error is reported and ends the schedule.
   */
  public static Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        report(e);
      } catch (Error e) {
        report(e);
        throw e;
      }
    };
  }

  /** Reports {@code failure}, caught on the current thread only to be reported. */
  public static void report(Throwable failure) {
    report(Thread.currentThread().getName(), failure);
  }

  private static void report(String threadName, Throwable failure) {
    LOG.severe(
        "uncaught exception in thread "
            + threadName
            + ": "
            + masked(failure.toString()).replace('\n', '|'));
    if (LOG.isLoggable(Level.FINE)) {
      StringWriter trace = new StringWriter();
      failure.printStackTrace(new PrintWriter(trace));
      LOG.fine(
          "stack trace in thread "
              + threadName
              + ": "
              + masked(trace.toString().replace('\n', '|').replace("\t", "")));
    }
    for (Consumer<String> listener : LISTENERS) {
      try {
        listener.accept(threadName);
      } catch (RuntimeException e) {
        // A listener that fails must not keep the others from hearing of the failure.
        LOG.warning("while reporting an uncaught exception: " + masked(e.toString()));
      }
    }
  }

  /** {@code text} with every secret given to {@link #install} replaced. */
  public static String masked(String text) {
    for (String secret : secrets) {
      text = text.replace(secret, MASK);
    }
    return text;
  }
}
