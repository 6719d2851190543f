package io.github.sensecapexporter;

import io.github.sensecapexporter.api.ApiMetrics;
import io.github.sensecapexporter.api.ApiPoller;
import io.github.sensecapexporter.collector.MeasurementCatalogue;
import io.github.sensecapexporter.collector.SeriesExposition;
import io.github.sensecapexporter.concurrent.DaemonThreads;
import io.github.sensecapexporter.concurrent.UncaughtExceptions;
import io.github.sensecapexporter.config.Settings;
import io.github.sensecapexporter.fleet.FleetMetadata;
import io.github.sensecapexporter.http.HttpEndpoint;
import io.github.sensecapexporter.ingest.MessageHandler;
import io.github.sensecapexporter.metrics.ExporterMetrics;
import io.github.sensecapexporter.metrics.ThreadKind;
import io.github.sensecapexporter.mqtt.MqttSubscriber;
import io.github.sensecapexporter.state.StateKeeper;
import io.github.sensecapexporter.store.SeriesStore;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.hotspot.DefaultExports;
import java.io.IOException;
import java.net.BindException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.MqttException;

/** The running exporter: store, collector, MQTT subscription and HTTP endpoint, wired together. */
public final class Exporter implements AutoCloseable {
  private static final Duration MAX_SWEEP_PERIOD = Duration.ofMinutes(1);
  private static final long SAVE_UNDER_WAY_SECONDS = 5;

  private final MqttSubscriber subscriber;
  private final HttpEndpoint http;
  private final ScheduledExecutorService housekeeping;
  private final Optional<StateKeeper> state;
  private final Consumer<String> uncaught;
  private final Optional<ApiPoller> api;

  private Exporter(
      MqttSubscriber subscriber,
      HttpEndpoint http,
      ScheduledExecutorService housekeeping,
      Optional<StateKeeper> state,
      Consumer<String> uncaught,
      Optional<ApiPoller> api) {
    this.subscriber = subscriber;
    this.http = http;
    this.housekeeping = housekeeping;
    this.state = state;
    this.uncaught = uncaught;
    this.api = api;
  }

  /**
   * Serves HTTP at once, then connects; the connection is retried for ever in the background.
   *
   * @throws StartUpException when the state cannot be kept or the HTTP port cannot be bound
   */
  public static Exporter start(Settings settings, Clock clock)
      throws StartUpException, IOException, MqttException {
    Version version = Version.current();
    CollectorRegistry registry = new CollectorRegistry();
    DefaultExports.register(registry);
    ExporterMetrics metrics =
        new ExporterMetrics(registry, version.version(), version.revision(), version.buildDate());
    SeriesStore store =
        new SeriesStore(clock, settings.series().expireAfter(), settings.series().maxSeries());
    FleetMetadata fleet =
        new FleetMetadata(settings.api().devices(), clock, settings.api().refreshInterval());
    Optional<FleetMetadata> apiFleet =
        settings.api().connection().isPresent() ? Optional.of(fleet) : Optional.empty();
    Optional<StateKeeper> state =
        settings
            .state()
            .path()
            .map(path -> new StateKeeper(path, settings.orgId(), store, metrics, clock, apiFleet));
    if (state.isPresent()) {
      try {
        state.get().open();
      } catch (IOException e) {
        throw new StartUpException("sensecap.state.path", e.getMessage());
      }
    }
    MessageHandler handler = new MessageHandler(store, metrics, clock, settings.mqtt().topics());
    MqttSubscriber subscriber = new MqttSubscriber(settings.mqtt(), handler, metrics);
    HttpEndpoint http;
    try {
      http =
          HttpEndpoint.start(
              settings.http(),
              registry,
              new SeriesExposition(store, MeasurementCatalogue.bundled(), fleet::current),
              subscriber::isReady,
              version.version());
    } catch (BindException e) {
      throw new StartUpException(
          "sensecap.http.port",
          "cannot listen on "
              + settings.http().host()
              + ":"
              + settings.http().port()
              + " ("
              + e.getMessage()
              + ")");
    }
    // Added once nothing that follows can fail, so that a failed start leaves no listener behind.
    Consumer<String> uncaught =
        threadName -> {
          metrics.uncaughtException(ThreadKind.of(threadName));
          subscriber.threadFailed(threadName);
        };
    UncaughtExceptions.addListener(uncaught);

    ScheduledExecutorService housekeeping =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("housekeeping"));
    long sweep = Math.max(1, sweepPeriod(settings.series().expireAfter()).toMillis());
    housekeeping.scheduleAtFixedRate(
        UncaughtExceptions.guarded(() -> metrics.expired(store.removeExpired())),
        sweep,
        sweep,
        TimeUnit.MILLISECONDS);
    long save = settings.state().saveInterval().toMillis();
    state.ifPresent(
        keeper ->
            housekeeping.scheduleAtFixedRate(
                UncaughtExceptions.guarded(keeper::save), save, save, TimeUnit.MILLISECONDS));

    subscriber.start();
    // Its own thread: neither start-up nor MQTT nor a scrape waits for the API.
    Optional<ApiPoller> api =
        settings
            .api()
            .connection()
            .map(c -> ApiPoller.start(settings.api(), fleet, new ApiMetrics(registry), clock));
    return new Exporter(subscriber, http, housekeeping, state, uncaught, api);
  }

  /** Often enough that an expired series frees its place soon, never more than once a minute. */
  static Duration sweepPeriod(Duration expireAfter) {
    Duration half = expireAfter.dividedBy(2);
    return half.compareTo(MAX_SWEEP_PERIOD) > 0 ? MAX_SWEEP_PERIOD : half;
  }

  /** The MQTT client id in use; a generated one is replaced when another client takes it. */
  public String mqttClientId() {
    return subscriber.clientId();
  }

  public boolean isReady() {
    return subscriber.isReady();
  }

  public int httpPort() {
    return http.port();
  }

  /**
   * Stops taking messages and disconnects from the broker, saves the series, then stops serving.
   */
  @Override
  public void close() {
    // A save under way finishes: interrupted, it would fail and count as a failure.
    housekeeping.shutdown();
    try {
      housekeeping.awaitTermination(SAVE_UNDER_WAY_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    housekeeping.shutdownNow();
    api.ifPresent(ApiPoller::close);
    subscriber.close();
    state.ifPresent(StateKeeper::save);
    http.close();
    UncaughtExceptions.removeListener(uncaught);
  }
}
