package io.github.sensecapexporter.mqtt;

import io.github.sensecapexporter.concurrent.DaemonThreads;
import io.github.sensecapexporter.config.Settings;
import io.github.sensecapexporter.ingest.MessageHandler;
import io.github.sensecapexporter.metrics.ExporterMetrics;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;

/**
 * Keeps one subscription to the broker alive for ever. Connects with capped exponential backoff
 * from the first attempt on (a broker that is down, silent or refusing the login at start-up is
 * retried too), subscribes every filter on every connect and retries a refused subscription, and
 * hands each message to the {@link MessageHandler} on Paho's callback thread.
 *
 * <p>Every change of connection state runs on one thread, {@code mqtt-connect}: Paho's callbacks
 * only post work to it, so no two attempts overlap and a late callback from an abandoned attempt is
 * recognised by its attempt number and ignored.
 */
public final class MqttSubscriber implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(MqttSubscriber.class.getName());
  private static final int SUBSCRIPTION_REFUSED = 0x80;
  private static final long DISCONNECT_QUIESCE_MILLIS = 1000;
  private static final long DISCONNECT_TIMEOUT_MILLIS = 2000;

  /** A connection that lasted less than this and was then closed counts as a failed attempt. */
  static final long STABLE_MILLIS = 30_000;

  /** This many short connections in a row point to another client with the same client id. */
  static final int CONFLICT_AFTER_SHORT_CONNECTIONS = 3;

  private final Settings.Mqtt settings;
  private final MessageHandler handler;
  private final ExporterMetrics metrics;
  private final MqttConnectOptions options;
  private final ScheduledExecutorService scheduler;

  // Read by other threads; written only on the scheduler thread.
  private volatile boolean connected;
  private volatile boolean subscribed;
  private volatile boolean closed;
  private volatile MqttAsyncClient client;
  private volatile String clientId;

  // Confined to the scheduler thread.
  private int attempt;
  private boolean connecting;
  private boolean retryPending;
  private int failures;
  private int shortConnections;
  private long connectedAtNanos;
  private String loggedState = "";

  public MqttSubscriber(Settings.Mqtt settings, MessageHandler handler, ExporterMetrics metrics)
      throws MqttException {
    this.settings = settings;
    this.handler = handler;
    this.metrics = metrics;
    this.options = connectOptions(settings);
    this.clientId = settings.clientId();
    this.client = newClient(clientId);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("mqtt-connect"));
  }

  private static MqttConnectOptions connectOptions(Settings.Mqtt settings) {
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setUserName(settings.username());
    if (!settings.password().isEmpty()) {
      options.setPassword(settings.password().reveal().toCharArray());
    }
    options.setCleanSession(settings.cleanSession());
    options.setKeepAliveInterval((int) settings.keepAlive().toSeconds());
    options.setConnectionTimeout((int) Math.max(1, settings.connectTimeout().toSeconds()));
    // Our own loop reconnects: Paho's gives up after a failed first connect.
    options.setAutomaticReconnect(false);
    if (settings.usesTls()) {
      // The broker's certificate must name the host of the URL, as for HTTPS.
      options.setHttpsHostnameVerificationEnabled(true);
      // Built once from sensecap.mqtt.tls.*; without it Paho uses the JVM's trust store.
      // These sockets keep Nagle's algorithm: turning it off gained nothing measurable and hid
      // the broker's handshake alert behind a broken pipe (PERFORMANCE.md, Ingest).
      settings.tls().ifPresent(tls -> options.setSocketFactory(tls.context().getSocketFactory()));
    } else {
      options.setSocketFactory(new PlainSocketFactory());
    }
    return options;
  }

  private MqttAsyncClient newClient(String id) throws MqttException {
    MqttAsyncClient fresh =
        new FilteringMqttClient(settings.url(), id, settings.maxPayloadBytes(), handler::reject);
    fresh.setCallback(new HandlerCallback(handler, this::connectionLost));
    return fresh;
  }

  public void start() {
    LOG.info(
        "connecting to "
            + settings.url()
            + " as "
            + settings.username()
            + " (client id "
            + clientId
            + ")");
    post(this::connect);
  }

  /** True while connected with every topic filter subscribed. */
  public boolean isReady() {
    return connected && subscribed;
  }

  /** The client id in use, which changes when a generated one is taken by another client. */
  public String clientId() {
    return clientId;
  }

  /** Runs {@code task} on the scheduler thread, unless the subscriber is closed. */
  private void post(Runnable task) {
    try {
      scheduler.execute(
          () -> {
            if (!closed) {
              task.run();
            }
          });
    } catch (RejectedExecutionException e) {
      // Closed meanwhile: nothing left to do.
    }
  }

  private void connect() {
    if (connecting || connected) {
      return;
    }
    int current = ++attempt;
    connecting = true;
    metrics.connectionAttempt();
    try {
      client.connect(
          options,
          null,
          new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
              post(() -> onConnected(current));
            }

            @Override
            public void onFailure(IMqttToken token, Throwable cause) {
              post(() -> onConnectFailed(current, cause));
            }
          });
    } catch (MqttException | RuntimeException e) {
      onConnectFailed(current, e);
      return;
    }
    // Paho's connection timeout covers opening the socket only, not waiting for the broker's reply.
    scheduler.schedule(
        () -> {
          if (!closed && connecting && attempt == current) {
            abandonClient(clientId);
            onConnectFailed(
                current,
                new MqttException(MqttException.REASON_CODE_CLIENT_TIMEOUT)); // no CONNACK in time
          }
        },
        settings.connectTimeout().toMillis() + 1000,
        TimeUnit.MILLISECONDS);
  }

  private void onConnected(int current) {
    if (current != attempt || !connecting) {
      return;
    }
    connecting = false;
    connected = true;
    subscribed = false;
    connectedAtNanos = System.nanoTime();
    metrics.connected(true);
    logState(
        shortConnections > 0 ? Level.FINE : Level.INFO,
        "connected",
        "connected to " + settings.url());
    subscribe(current);
  }

  private void subscribe(int current) {
    String[] filters = settings.topics().toArray(new String[0]);
    int[] qos = new int[filters.length];
    Arrays.fill(qos, settings.qos());
    try {
      client.subscribe(
          filters,
          qos,
          null,
          new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
              post(() -> onSubscribed(current, filters, token.getGrantedQos()));
            }

            @Override
            public void onFailure(IMqttToken token, Throwable cause) {
              post(() -> onSubscribeFailed(current, describe(cause)));
            }
          });
    } catch (MqttException | RuntimeException e) {
      onSubscribeFailed(current, describe(e));
    }
  }

  private void onSubscribed(int current, String[] filters, int[] granted) {
    if (current != attempt || !connected) {
      return;
    }
    StringBuilder refused = new StringBuilder();
    for (int i = 0; i < filters.length; i++) {
      if (i >= granted.length || granted[i] == SUBSCRIPTION_REFUSED) {
        refused.append(refused.length() == 0 ? "" : ", ").append(filters[i]);
      }
    }
    if (refused.length() > 0) {
      onSubscribeFailed(
          current,
          "the broker refused "
              + refused
              + " (check sensecap.mqtt.topics, the organisation ID and the broker's ACL)");
      return;
    }
    subscribed = true;
    metrics.subscribed(true);
    logState(
        Level.INFO,
        "subscribed",
        "subscribed to " + String.join(", ", filters) + " at QoS " + settings.qos());
  }

  private void onSubscribeFailed(int current, String why) {
    if (current != attempt || !connected) {
      return;
    }
    failures++;
    long delay = backoffMillis(failures);
    logState(
        Level.SEVERE,
        "subscription failed: " + why,
        "subscription failed: " + why + "; retrying in " + delay + " ms");
    scheduler.schedule(
        () -> {
          if (!closed && current == attempt && connected) {
            subscribe(current);
          }
        },
        delay,
        TimeUnit.MILLISECONDS);
  }

  private void onConnectFailed(int current, Throwable cause) {
    if (current != attempt || !connecting) {
      return;
    }
    connecting = false;
    setDisconnected();
    failures++;
    long delay = backoffMillis(failures);
    logState(
        Level.WARNING,
        "connect failed: " + kind(cause),
        "cannot connect to "
            + settings.url()
            + ": "
            + describe(cause)
            + "; retrying with backoff up to "
            + settings.maxReconnectDelay().toSeconds()
            + "s (attempt "
            + failures
            + ", next in "
            + delay
            + " ms)");
    scheduleReconnect(delay);
  }

  private void connectionLost(Throwable cause) {
    post(() -> onConnectionLost(cause));
  }

  private void onConnectionLost(Throwable cause) {
    if (!connected) {
      return;
    }
    setDisconnected();
    metrics.connectionLost();
    boolean shortLived = System.nanoTime() - connectedAtNanos < STABLE_MILLIS * 1_000_000L;
    if (shortLived) {
      // A connection closed right after it opened is as good as a failed attempt: back off.
      shortConnections++;
      failures++;
    } else {
      shortConnections = 0;
      failures = 0;
    }
    if (shortConnections >= CONFLICT_AFTER_SHORT_CONNECTIONS) {
      onLikelyClientIdConflict();
    }
    long delay = backoffMillis(failures + 1);
    logState(
        shortConnections > 1 ? Level.FINE : Level.WARNING,
        "lost: " + kind(cause),
        "lost connection to " + settings.url() + ": " + describe(cause) + "; reconnecting");
    scheduleReconnect(delay);
  }

  /**
   * Connections that the broker keeps closing right after they open usually mean that another
   * client logs in with the same client id, each login taking over the other's session.
   */
  private void onLikelyClientIdConflict() {
    metrics.clientIdConflict();
    if (settings.clientIdPinned()) {
      logState(
          Level.WARNING,
          "conflict: pinned",
          "the broker closed the last "
              + shortConnections
              + " connections shortly after they opened: another client probably uses the client id "
              + clientId
              + "; keeping the pinned id (sensecap.mqtt.client-id) and retrying with backoff");
      return;
    }
    String previous = clientId;
    String fresh = Settings.regeneratedClientId(previous);
    if (abandonClient(fresh)) {
      shortConnections = 0;
      LOG.warning(
          "the broker closed the last "
              + CONFLICT_AFTER_SHORT_CONNECTIONS
              + " connections shortly after they opened: another client probably uses the client id "
              + previous
              + "; continuing with the new client id "
              + fresh);
    }
  }

  private void scheduleReconnect(long delayMillis) {
    if (retryPending) {
      return;
    }
    retryPending = true;
    scheduler.schedule(
        () -> {
          retryPending = false;
          if (!closed) {
            connect();
          }
        },
        delayMillis,
        TimeUnit.MILLISECONDS);
  }

  private void setDisconnected() {
    connected = false;
    subscribed = false;
    metrics.connected(false);
    metrics.subscribed(false);
  }

  /**
   * Drops the current client, whatever it is doing, for a new one with {@code nextClientId};
   * returns whether the new one could be made.
   */
  private boolean abandonClient(String nextClientId) {
    release(client, false);
    try {
      client = newClient(nextClientId);
      clientId = nextClientId;
      return true;
    } catch (MqttException e) {
      LOG.warning("cannot create an MQTT client: " + describe(e));
      return false;
    }
  }

  /**
   * Disconnects {@code target}, cleanly or at once, and releases it; failures matter only at DEBUG.
   */
  private static void release(MqttAsyncClient target, boolean cleanly) {
    try {
      if (!cleanly) {
        target.disconnectForcibly(0, 0, false);
      } else if (target.isConnected()) {
        target.disconnect(DISCONNECT_QUIESCE_MILLIS).waitForCompletion(DISCONNECT_TIMEOUT_MILLIS);
      }
    } catch (MqttException e) {
      LOG.fine("disconnect: " + describe(e));
    }
    try {
      target.close(true);
    } catch (MqttException e) {
      LOG.fine("close: " + describe(e));
    }
  }

  /**
   * Doubles from the initial delay up to the cap, with jitter so that many exporters spread out.
   */
  long backoffMillis(int failures) {
    long cap = settings.maxReconnectDelay().toMillis();
    long delay = Math.min(cap, settings.initialReconnectDelay().toMillis());
    for (int i = 1; i < failures && delay < cap; i++) {
      delay = Math.min(cap, delay * 2);
    }
    return delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
  }

  /**
   * Logs a connection state once when it changes; the same state again goes to DEBUG, so a broker
   * that stays down costs one line, not one per retry. {@code state} names the kind of event, so
   * that details that vary between retries do not count as a change.
   */
  private void logState(Level level, String state, String message) {
    if (state.equals(loggedState)) {
      LOG.fine(message);
    } else {
      loggedState = state;
      LOG.log(level, message);
    }
  }

  private static String kind(Throwable cause) {
    if (cause instanceof MqttException mqtt) {
      return "reason "
          + mqtt.getReasonCode()
          + (mqtt.getCause() == null ? "" : " " + mqtt.getCause().getClass().getSimpleName());
    }
    return cause == null ? "none" : cause.getClass().getSimpleName();
  }

  static String describe(Throwable cause) {
    if (cause == null) {
      return "no reason given";
    }
    StringBuilder text = new StringBuilder(String.valueOf(cause.getMessage()));
    if (cause instanceof MqttException mqtt && mqtt.getReasonCode() != 0) {
      text.append(" (reason ").append(mqtt.getReasonCode()).append(')');
    }
    Throwable inner = cause.getCause();
    if (inner != null && inner != cause) {
      text.append(": ")
          .append(inner.getClass().getSimpleName())
          .append(' ')
          .append(inner.getMessage());
    }
    return text.toString();
  }

  /** Stops reconnecting and disconnects cleanly. */
  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
    boolean wasConnected = client.isConnected();
    release(client, true);
    connected = false;
    subscribed = false;
    metrics.connected(false);
    metrics.subscribed(false);
    if (wasConnected) {
      LOG.info("disconnected from " + settings.url());
    }
  }
}
