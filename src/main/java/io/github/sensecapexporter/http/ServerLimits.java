package io.github.sensecapexporter.http;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * How many clients the JDK's HttpServer serves and for how long. Its dispatcher hands a connection
 * to the executor as soon as a byte arrives, and the request is read with blocking reads on that
 * thread: a client that trickles its headers holds a thread, as does one that reads the response
 * slowly. So every connection gets a thread of its own, up to {@link #MAX_CONNECTIONS}, which the
 * server enforces by closing connections beyond it at once; the request, headers and any body, must
 * arrive within {@link #REQUEST_SECONDS} of its first byte (one that sends nothing holds no thread,
 * and the server's idle check closes it once it has been silent as long), and the response must be
 * made and read within {@link #RESPONSE_SECONDS} of the request's end.
 *
 * <p>The server reads these limits from system properties once, when its classes load: {@link
 * #apply()} must run before the first server is made, and sets them whatever the command line said.
 * HttpEndpoint runs it when it loads; the tests' JVM has the same values from the start (pom.xml,
 * surefire's systemPropertyVariables, checked by ServerLimitsTest), whatever makes a server first.
 * {@code jdk.httpserver.maxConnections} came in JDK 17.0.5: an older JDK ignores it.
 */
final class ServerLimits {
  private static final Logger LOG = Logger.getLogger(ServerLimits.class.getName());
  private static final Runtime.Version CAPPED_SINCE = Runtime.Version.parse("17.0.5");

  // Well above what a scraper, a few dashboards' probes and an abuser's 256 + 8 need, and what the
  // threads cost at that count is measured in RELIABILITY.md.
  static final int MAX_CONNECTIONS = 1024;
  // Connections the kernel holds until the dispatcher accepts them. Past the JDK's default of 50,
  // a burst of connections is dropped, and each client so refused waits a second for its SYN to
  // be sent again: a flood of logins would add that second to a good scrape.
  static final int BACKLOG = MAX_CONNECTIONS;
  // Headers take a working client milliseconds; ten seconds leave room for a poor link.
  static final int REQUEST_SECONDS = 10;
  // Above any scrape_timeout worth setting; a reader slower than that holds only its own thread.
  static final int RESPONSE_SECONDS = 120;
  // The request path is shallow; a thread's stack is reserved address space, touched only as deep
  // as it goes, and the default of 1 MiB times the cap would be 1 GiB of it.
  private static final long STACK_BYTES = 256 * 1024;
  private static final long IDLE_THREAD_SECONDS = 30;

  private ServerLimits() {}

  /** The system properties the server reads its limits from, with their values. */
  static Map<String, String> properties() {
    return Map.of(
        "jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS),
        "sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_SECONDS),
        "sun.net.httpserver.maxRspTime", Integer.toString(RESPONSE_SECONDS));
  }

  static void apply() {
    properties().forEach(System::setProperty);
  }

  /** Warns once when {@code version} is a JDK that would ignore the connection cap. */
  static void checkJdk(Runtime.Version version) {
    if (version.compareToIgnoreOptional(CAPPED_SINCE) < 0) {
      LOG.warning(
          "JDK "
              + version
              + " predates 17.0.5, which brought jdk.httpserver.maxConnections: the HTTP endpoint"
              + " does not cap its connections at "
              + MAX_CONNECTIONS
              + "; run it on 17.0.5 or later");
    }
  }

  /**
   * A thread per busy connection, up to the cap: an idle thread takes the next task, a new one is
   * made only when none is idle, and one idle for {@link #IDLE_THREAD_SECONDS} ends. The queue
   * behind the cap is never used in practice, since connections are capped at the thread count; it
   * is there because a thread may still be unwinding when the dispatcher accepts its successor, and
   * the JDK's dispatcher, given a rejection, closes the connection: a good client, just under the
   * cap, would be dropped for a thread that was about to be free.
   */
  static ExecutorService executor() {
    HandOff queue = new HandOff();
    return new ThreadPoolExecutor(
        0,
        MAX_CONNECTIONS,
        IDLE_THREAD_SECONDS,
        TimeUnit.SECONDS,
        queue,
        runnable -> {
          Thread thread = new Thread(null, runnable, "http", STACK_BYTES);
          thread.setDaemon(true);
          return thread;
        },
        (task, pool) -> {
          if (!pool.isShutdown()) {
            queue.enqueue(task);
          }
        });
  }

  /**
   * Takes a task only when an idle thread is waiting for one, so that the executor makes a new
   * thread rather than queueing while it is under its cap; at the cap, the task waits in line.
   */
  @SuppressWarnings("serial") // never serialized
  private static final class HandOff extends LinkedTransferQueue<Runnable> {
    @Override
    public boolean offer(Runnable task) {
      return tryTransfer(task);
    }

    void enqueue(Runnable task) {
      super.offer(task);
    }
  }
}
