package io.github.sensecapexporter.mqtt;

import io.github.sensecapexporter.config.Settings;
import io.github.sensecapexporter.ingest.MessageHandler;
import io.github.sensecapexporter.metrics.ExporterMetrics;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Keeps one subscription to the broker alive for ever: connects with capped exponential backoff
 * (from the first attempt on, so a broker that is down or refuses the login at start-up is retried
 * too), subscribes every filter on every connect, and hands each message to the {@link
 * MessageHandler} on Paho's callback thread.
 */
public final class MqttSubscriber implements MqttCallbackExtended, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(MqttSubscriber.class.getName());
  private static final int SUBSCRIPTION_REFUSED = 0x80;
  private static final long DISCONNECT_QUIESCE_MILLIS = 1000;
  private static final long DISCONNECT_TIMEOUT_MILLIS = 2000;

  private final Settings.Mqtt settings;
  private final MessageHandler handler;
  private final ExporterMetrics metrics;
  private final MqttAsyncClient client;
  private final MqttConnectOptions options;
  private final ScheduledExecutorService scheduler;
  private final AtomicInteger failedAttempts = new AtomicInteger();
  private volatile boolean connected;
  private volatile boolean subscribed;
  private volatile boolean closed;
  private String loggedState = "";

  public MqttSubscriber(Settings.Mqtt settings, MessageHandler handler, ExporterMetrics metrics)
      throws MqttException {
    this.settings = settings;
    this.handler = handler;
    this.metrics = metrics;
    this.client = new MqttAsyncClient(settings.url(), settings.clientId(), new MemoryPersistence());
    this.client.setCallback(this);
    this.options = connectOptions(settings);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "mqtt-connect");
              thread.setDaemon(true);
              return thread;
            });
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
    // Our own loop reconnects: Paho's gives up on the first connect and logs nothing we control.
    options.setAutomaticReconnect(false);
    return options;
  }

  public void start() {
    LOG.info(
        "connecting to "
            + settings.url()
            + " as "
            + settings.username()
            + " (client id "
            + settings.clientId()
            + ")");
    scheduler.execute(this::connect);
  }

  /** True while connected with every topic filter subscribed. */
  public boolean isReady() {
    return connected && subscribed;
  }

  public boolean isConnected() {
    return connected;
  }

  private void connect() {
    if (closed) {
      return;
    }
    metrics.connectionAttempt();
    try {
      client.connect(
          options,
          null,
          new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
              // connectComplete() subscribes.
            }

            @Override
            public void onFailure(IMqttToken token, Throwable cause) {
              retryAfterFailure(cause);
            }
          });
    } catch (MqttException | RuntimeException e) {
      retryAfterFailure(e);
    }
  }

  private void retryAfterFailure(Throwable cause) {
    if (closed) {
      return;
    }
    int failures = failedAttempts.incrementAndGet();
    long delay = backoffMillis(failures);
    logState(
        Level.WARNING,
        "cannot connect to " + settings.url() + ": " + describe(cause),
        "; retrying with backoff up to " + settings.maxReconnectDelay().toSeconds() + "s",
        " (attempt " + failures + ", next in " + delay + " ms)");
    scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
  }

  /**
   * Doubles from the initial delay up to the cap, with jitter so that many exporters spread out.
   */
  long backoffMillis(int failures) {
    long initial = settings.initialReconnectDelay().toMillis();
    long cap = settings.maxReconnectDelay().toMillis();
    long delay = failures >= 31 ? cap : Math.min(cap, initial << Math.max(0, failures - 1));
    return delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
  }

  @Override
  public void connectComplete(boolean reconnect, String serverUri) {
    connected = true;
    failedAttempts.set(0);
    metrics.connected(true);
    logState(Level.INFO, "connected to " + serverUri, "", "");
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
              onSubscribed(filters, token.getGrantedQos());
            }

            @Override
            public void onFailure(IMqttToken token, Throwable cause) {
              LOG.warning("subscription failed: " + describe(cause));
            }
          });
    } catch (MqttException | RuntimeException e) {
      LOG.warning("subscription failed: " + describe(e));
    }
  }

  private void onSubscribed(String[] filters, int[] granted) {
    boolean all = true;
    for (int i = 0; i < filters.length; i++) {
      if (i >= granted.length || granted[i] == SUBSCRIPTION_REFUSED) {
        all = false;
        LOG.severe(
            "the broker refused the subscription to "
                + filters[i]
                + " (check sensecap.mqtt.topics and the organisation ID)");
      }
    }
    subscribed = all;
    if (all) {
      LOG.info("subscribed to " + String.join(", ", filters) + " at QoS " + settings.qos());
    }
  }

  @Override
  public void connectionLost(Throwable cause) {
    connected = false;
    subscribed = false;
    metrics.connected(false);
    metrics.connectionLost();
    if (closed) {
      return;
    }
    logState(
        Level.WARNING, "lost connection to " + settings.url() + ": " + describe(cause), "", "");
    long delay = backoffMillis(1);
    scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
  }

  @Override
  public void messageArrived(String topic, MqttMessage message) {
    try {
      handler.handle(topic, message.getPayload());
    } catch (RuntimeException e) {
      // Paho drops the connection when the callback throws; one bad message must not cost the rest.
      LOG.log(Level.SEVERE, "unexpected failure handling a message on " + topic + ": " + e, e);
    }
  }

  @Override
  public void deliveryComplete(IMqttDeliveryToken token) {
    // Only subscribes; never publishes.
  }

  /**
   * Logs a connection state once when it changes; repeats of the same state go to DEBUG, so a
   * broker that stays down costs one line, not one per retry.
   */
  private synchronized void logState(
      Level level, String state, String firstSuffix, String repeatSuffix) {
    if (state.equals(loggedState)) {
      LOG.fine(state + repeatSuffix);
    } else {
      loggedState = state;
      LOG.log(level, state + firstSuffix);
    }
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
    try {
      if (client.isConnected()) {
        client.disconnect(DISCONNECT_QUIESCE_MILLIS).waitForCompletion(DISCONNECT_TIMEOUT_MILLIS);
      }
    } catch (MqttException e) {
      LOG.fine("disconnect: " + describe(e));
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      LOG.fine("close: " + describe(e));
    }
    connected = false;
    subscribed = false;
    metrics.connected(false);
    LOG.info("disconnected from " + settings.url());
  }
}
