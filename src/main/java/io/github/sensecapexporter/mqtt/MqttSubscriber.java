package io.github.sensecapexporter.mqtt;

import io.github.sensecapexporter.concurrent.Backoff;
import io.github.sensecapexporter.concurrent.DaemonThreads;
import io.github.sensecapexporter.concurrent.UncaughtExceptions;
import io.github.sensecapexporter.config.Settings;
import io.github.sensecapexporter.ingest.MessageHandler;
import io.github.sensecapexporter.metrics.ExporterMetrics;
import io.github.sensecapexporter.metrics.ThreadKind;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
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

  /** Restarts closer together than this count as one failure repeating, and back off. */
  private static final long RESTARTS_APART_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final Settings.Mqtt settings;
  private final MessageHandler handler;
  private final ExporterMetrics metrics;
  private final MqttClients clients;
  private final MqttConnectOptions options;
  private final ScheduledExecutorService scheduler;
  private final Backoff backoff;

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
  private int restartsInARow;
  private long lastRestartNanos = System.nanoTime() - RESTARTS_APART_NANOS;
  private final ClientIdConflicts conflicts = new ClientIdConflicts(System::nanoTime);
  private final StateLog stateLog = new StateLog(LOG);

  public MqttSubscriber(Settings.Mqtt settings, MessageHandler handler, ExporterMetrics metrics)
      throws MqttException {
    this.settings = settings;
    this.handler = handler;
    this.metrics = metrics;
    this.clients = new MqttClients(settings, handler);
    this.options = clients.options();
    this.clientId = settings.clientId();
    this.client = clients.create(clientId, this::connectionLost);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("mqtt-connect"));
    this.backoff =
        new Backoff(settings.initialReconnectDelay(), settings.maxReconnectDelay(), new Random());
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

  /**
   * Called with the name of every thread that died of an uncaught exception, whoever's it was. A
   * thread of the current client that dies leaves the client half alive: a dead receiver, say,
   * reads nothing more, yet Paho believes itself connected until the keep-alive runs out. So the
   * client is dropped for a new one at once.
   */
  public void threadFailed(String threadName) {
    post(() -> onThreadFailed(threadName));
  }

  /** Runs {@code task} on the scheduler thread, unless the subscriber is closed. */
  private void post(Runnable task) {
    postAfter(0, task);
  }

  /**
   * Runs {@code task} on the scheduler thread after {@code delayMillis}, unless the subscriber is
   * closed by then. The executor would keep what a task throws in a future nobody reads, with the
   * state machine left wherever the task stopped: so it is reported, and the connection started
   * afresh.
   */
  private void postAfter(long delayMillis, Runnable task) {
    try {
      scheduler.schedule(
          () -> {
            if (closed) {
              return;
            }
            try {
              task.run();
            } catch (RuntimeException e) {
              UncaughtExceptions.report(e);
              UncaughtExceptions.guarded(() -> restart("a connection task failed")).run();
            }
          },
          delayMillis,
          TimeUnit.MILLISECONDS);
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
    postAfter(
        settings.connectTimeout().toMillis() + 1000,
        () -> {
          if (connecting && attempt == current) {
            abandonClient(clientId);
            onConnectFailed(
                current,
                new MqttException(MqttException.REASON_CODE_CLIENT_TIMEOUT)); // no CONNACK in time
          }
        });
  }

  private void onConnected(int current) {
    if (current != attempt || !connecting) {
      return;
    }
    connecting = false;
    connected = true;
    subscribed = false;
    conflicts.connected();
    metrics.connected(true);
    stateLog.log(
        conflicts.shortInARow() > 0 ? Level.FINE : Level.INFO,
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
              post(() -> onSubscribeFailed(current, MqttClients.describe(cause)));
            }
          });
    } catch (MqttException | RuntimeException e) {
      onSubscribeFailed(current, MqttClients.describe(e));
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
    stateLog.log(
        Level.INFO,
        "subscribed",
        "subscribed to " + String.join(", ", filters) + " at QoS " + settings.qos());
  }

  private void onSubscribeFailed(int current, String why) {
    if (current != attempt || !connected) {
      return;
    }
    failures++;
    long delay = backoff.delayMillis(failures);
    stateLog.log(
        Level.SEVERE,
        "subscription failed: " + why,
        "subscription failed: " + why + "; retrying in " + delay + " ms");
    postAfter(
        delay,
        () -> {
          if (current == attempt && connected) {
            subscribe(current);
          }
        });
  }

  private void onConnectFailed(int current, Throwable cause) {
    if (current != attempt || !connecting) {
      return;
    }
    connecting = false;
    setDisconnected();
    failures++;
    long delay = backoff.delayMillis(failures);
    stateLog.log(
        Level.WARNING,
        "connect failed: " + MqttClients.kind(cause),
        "cannot connect to "
            + settings.url()
            + ": "
            + MqttClients.describe(cause)
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
    if (conflicts.lost()) {
      // A connection closed right after it opened is as good as a failed attempt: back off.
      failures++;
    } else {
      failures = 0;
    }
    if (conflicts.likely()) {
      onLikelyClientIdConflict();
    }
    long delay = backoff.delayMillis(failures + 1);
    stateLog.log(
        conflicts.shortInARow() > 1 ? Level.FINE : Level.WARNING,
        "lost: " + MqttClients.kind(cause),
        "lost connection to "
            + settings.url()
            + ": "
            + MqttClients.describe(cause)
            + "; reconnecting");
    scheduleReconnect(delay);
  }

  private void onLikelyClientIdConflict() {
    metrics.clientIdConflict();
    int shortInARow = conflicts.shortInARow();
    if (settings.clientIdPinned()) {
      stateLog.log(
          Level.WARNING,
          "conflict: pinned",
          "the broker closed the last "
              + shortInARow
              + " connections shortly after they opened: another client probably uses the client id"
              + " "
              + clientId
              + "; keeping the pinned id (sensecap.mqtt.client-id) and retrying with backoff");
      return;
    }
    String previous = clientId;
    String fresh = Settings.regeneratedClientId(previous);
    if (abandonClient(fresh)) {
      conflicts.reset();
      LOG.warning(
          "the broker closed the last "
              + shortInARow
              + " connections shortly after they opened: another client probably uses the client id"
              + " "
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
    postAfter(
        delayMillis,
        () -> {
          retryPending = false;
          connect();
        });
  }

  private void onThreadFailed(String threadName) {
    // Paho names each thread of a client after it: "MQTT Rec: <client id>" and the like.
    boolean ours =
        ThreadKind.of(threadName) == ThreadKind.MQTT && threadName.endsWith(": " + clientId);
    if (ours && (connected || connecting)) {
      restart("thread " + threadName + " of the MQTT client died");
    }
  }

  /**
   * Drops the client, whatever it is doing, and connects with a new one: at once, unless the last
   * restart was recent, so that a broker that kills every connection this way is not hammered.
   */
  private void restart(String why) {
    long now = System.nanoTime();
    restartsInARow = now - lastRestartNanos < RESTARTS_APART_NANOS ? restartsInARow + 1 : 0;
    lastRestartNanos = now;
    boolean wasConnected = connected;
    // Whatever the dropped client still reports belongs to an attempt that is over.
    attempt++;
    connecting = false;
    setDisconnected();
    if (wasConnected) {
      metrics.connectionLost();
    }
    abandonClient(clientId);
    long delay = restartsInARow == 0 ? 0 : backoff.delayMillis(restartsInARow);
    stateLog.log(
        Level.WARNING,
        "restarted: " + why,
        why + "; reconnecting with a new client in " + delay + " ms");
    scheduleReconnect(delay);
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
    MqttClients.release(client, false);
    try {
      client = clients.create(nextClientId, this::connectionLost);
      clientId = nextClientId;
      return true;
    } catch (MqttException e) {
      LOG.warning("cannot create an MQTT client: " + MqttClients.describe(e));
      return false;
    }
  }

  /** Stops reconnecting and disconnects cleanly. */
  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
    boolean wasConnected = client.isConnected();
    MqttClients.release(client, true);
    connected = false;
    subscribed = false;
    metrics.connected(false);
    metrics.subscribed(false);
    if (wasConnected) {
      LOG.info("disconnected from " + settings.url());
    }
  }
}
