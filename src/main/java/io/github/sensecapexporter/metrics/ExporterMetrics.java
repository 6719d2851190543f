package io.github.sensecapexporter.metrics;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import java.util.EnumMap;
import java.util.Map;

/** The exporter's metrics about itself, registered in the exporter's own registry. */
public final class ExporterMetrics {
  private final Counter received;
  private final Counter accepted;
  private final Map<DropReason, Counter.Child> dropped = new EnumMap<>(DropReason.class);
  private final Gauge lastMessage;
  private final Counter expired;
  private final Gauge connected;
  private final Counter connectionAttempts;
  private final Counter connectionsLost;
  private final Gauge subscribed;
  private final Counter clientIdConflicts;
  private final Gauge stateSaved;
  private final Counter stateSaveFailures;
  private final Map<ThreadKind, Counter.Child> uncaught = new EnumMap<>(ThreadKind.class);

  /**
   * @param version the exporter's version, {@code revision} its abbreviated commit and {@code
   *     buildDate} when it was built (ISO-8601 UTC, as {@code --version} prints it): the labels of
   *     {@code sensecap_exporter_build_info}, as Prometheus' own {@code prometheus_build_info} has
   *     them; the Java version is {@code jvm_info}'s
   */
  public ExporterMetrics(
      CollectorRegistry registry, String version, String revision, String buildDate) {
    received =
        Counter.build()
            .name("sensecap_exporter_messages_received_total")
            .help("MQTT messages received, whatever became of them.")
            .register(registry);
    accepted =
        Counter.build()
            .name("sensecap_exporter_messages_accepted_total")
            .help("MQTT messages that updated or created a series; received = accepted + dropped.")
            .register(registry);
    Counter droppedFamily =
        Counter.build()
            .name("sensecap_exporter_messages_dropped_total")
            .help("MQTT messages that left no sample, by reason.")
            .labelNames("reason")
            .register(registry);
    for (DropReason reason : DropReason.values()) {
      // Every reason is present at 0 from the start, so rate() and alerts see the first drop.
      dropped.put(reason, droppedFamily.labels(reason.label()));
    }
    lastMessage =
        Gauge.build()
            .name("sensecap_exporter_last_message_received_timestamp_seconds")
            .help(
                "When the last MQTT message arrived, in seconds since the epoch; 0 before the"
                    + " first.")
            .register(registry);
    expired =
        Counter.build()
            .name("sensecap_exporter_series_expired_total")
            .help(
                "Series removed because nothing arrived for them within"
                    + " sensecap.series.expire-after.")
            .register(registry);
    connected =
        Gauge.build()
            .name("sensecap_exporter_mqtt_connected")
            .help("1 while connected to the MQTT broker, else 0.")
            .register(registry);
    connectionAttempts =
        Counter.build()
            .name("sensecap_exporter_mqtt_connection_attempts_total")
            .help("Attempts to connect to the MQTT broker, the first one included.")
            .register(registry);
    connectionsLost =
        Counter.build()
            .name("sensecap_exporter_mqtt_connections_lost_total")
            .help("Established MQTT connections that were lost.")
            .register(registry);
    subscribed =
        Gauge.build()
            .name("sensecap_exporter_mqtt_subscribed")
            .help(
                "1 while every topic filter is subscribed, else 0; /-/ready needs it and"
                    + " connected.")
            .register(registry);
    clientIdConflicts =
        Counter.build()
            .name("sensecap_exporter_mqtt_client_id_conflicts_total")
            .help(
                "Times the broker kept closing new connections, likely for another client with the"
                    + " same client id.")
            .register(registry);
    stateSaved =
        Gauge.build()
            .name("sensecap_exporter_state_last_save_timestamp_seconds")
            .help(
                "When the series were last saved to sensecap.state.path; 0 before the first save.")
            .register(registry);
    stateSaveFailures =
        Counter.build()
            .name("sensecap_exporter_state_save_failures_total")
            .help("Attempts to save the series to sensecap.state.path that failed.")
            .register(registry);
    Counter uncaughtFamily =
        Counter.build()
            .name("sensecap_exporter_uncaught_exceptions_total")
            .help(
                "Exceptions that nothing caught, by the kind of thread: mqtt, http, housekeeping, api,"
                    + " other.")
            .labelNames("thread")
            .register(registry);
    for (ThreadKind kind : ThreadKind.values()) {
      uncaught.put(kind, uncaughtFamily.labels(kind.label()));
    }
    Gauge.build()
        .name("sensecap_exporter_build_info")
        .help(
            "The exporter's version, git revision and build date, as labels; the value is always"
                + " 1.")
        .labelNames("version", "revision", "build_date")
        .register(registry)
        .labels(version, revision, buildDate)
        .set(1);
  }

  public void received(long nowMillis) {
    received.inc();
    lastMessage.set(nowMillis / 1000.0);
  }

  public void accepted() {
    accepted.inc();
  }

  public void dropped(DropReason reason) {
    dropped.get(reason).inc();
  }

  public void expired(int count) {
    expired.inc(count);
  }

  public void connectionAttempt() {
    connectionAttempts.inc();
  }

  public void connectionLost() {
    connectionsLost.inc();
  }

  public void stateSaved(long nowMillis) {
    stateSaved.set(nowMillis / 1000.0);
  }

  public void stateSaveFailed() {
    stateSaveFailures.inc();
  }

  public void subscribed(boolean isSubscribed) {
    subscribed.set(isSubscribed ? 1 : 0);
  }

  public void clientIdConflict() {
    clientIdConflicts.inc();
  }

  public void connected(boolean isConnected) {
    connected.set(isConnected ? 1 : 0);
  }

  public void uncaughtException(ThreadKind kind) {
    uncaught.get(kind).inc();
  }
}
