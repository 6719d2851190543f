package io.github.sensecapexporter.api;

import io.github.sensecapexporter.concurrent.DaemonThreads;
import io.github.sensecapexporter.concurrent.UncaughtExceptions;
import io.github.sensecapexporter.config.ApiSettings;
import io.github.sensecapexporter.fleet.FleetMetadata;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Reads the fleet's metadata from the SenseCAP HTTP API now and then every refresh interval, on a
 * daemon thread of its own, so that MQTT, scrapes and start-up never wait for it and it never keeps
 * the JVM alive. What one poll does is {@link FleetPoll}'s.
 */
public final class ApiPoller implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ApiPoller.class.getName());

  /**
   * The nodes (and the gateways) kept of a poll. At one request a second, 10,000 devices take 400
   * batch requests, about 7 minutes: close to the default refresh interval of 10 minutes, so a
   * larger fleet could not be read in one anyway. It bounds what a runaway listing can hold.
   */
  private static final int MAX_DEVICES = 10_000;

  /** How long close waits for a poll under way to see its interrupt and end. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final ScheduledExecutorService scheduler;
  private final ExecutorService httpThreads;

  private ApiPoller(ScheduledExecutorService scheduler, ExecutorService httpThreads) {
    this.scheduler = scheduler;
    this.httpThreads = httpThreads;
  }

  /** Starts polling {@code settings}' connection, which must be present. */
  public static ApiPoller start(
      ApiSettings settings, FleetMetadata fleet, ApiMetrics metrics, Clock clock) {
    ApiSettings.Connection connection = settings.connection().orElseThrow();
    ExecutorService httpThreads = Executors.newCachedThreadPool(DaemonThreads.named("api-http"));
    ApiClient client =
        new ApiClient(
            connection,
            settings.requestTimeout(),
            httpThreads,
            metrics,
            System::nanoTime,
            duration -> Thread.sleep(duration.toMillis()));
    FleetPoll poll = new FleetPoll(client, fleet, metrics, clock, MAX_DEVICES);
    ApiPoller poller = schedule(poll::run, settings.refreshInterval(), httpThreads);
    LOG.info(
        "reading device names and groups from "
            + connection.url()
            + " every "
            + settings.refreshInterval().toMinutes()
            + " min");
    return poller;
  }

  /**
   * Runs {@code poll} now and {@code interval} after each run ends; a runtime exception is reported
   * and the schedule goes on.
   */
  static ApiPoller schedule(Runnable poll, Duration interval, ExecutorService httpThreads) {
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("api-poller"));
    scheduler.scheduleWithFixedDelay(
        UncaughtExceptions.guarded(poll), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return new ApiPoller(scheduler, httpThreads);
  }

  /**
   * Stops polling: a poll under way is interrupted, and waited for a little, so that none publishes
   * after this returns unless it ignores the interrupt.
   */
  @Override
  public void close() {
    scheduler.shutdownNow();
    httpThreads.shutdownNow();
    try {
      scheduler.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
