package io.github.sensecapexporter.mqtt;

import io.github.sensecapexporter.config.Settings;
import io.github.sensecapexporter.ingest.MessageHandler;
import java.net.http.HttpClient;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;

/**
 * Makes the Paho clients a subscriber uses, as the settings say, releases them, and words their
 * failures for the log.
 */
final class MqttClients {
  private static final Logger LOG = Logger.getLogger(MqttClients.class.getName());
  private static final long DISCONNECT_QUIESCE_MILLIS = 1000;
  private static final long DISCONNECT_TIMEOUT_MILLIS = 2000;

  private final Settings.Mqtt settings;
  private final MessageHandler handler;
  private final HttpClient webSockets;

  MqttClients(Settings.Mqtt settings, MessageHandler handler) {
    this.settings = settings;
    this.handler = handler;
    this.webSockets =
        FilteringMqttClient.isWebSocket(settings.url())
            ? FilteringMqttClient.webSocketClient(
                settings.tls().map(Settings.Tls::context).orElse(null), settings.connectTimeout())
            : null;
  }

  /** The options of every connection; Paho's own reconnecting is off, the subscriber's is on. */
  MqttConnectOptions options() {
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

  /** A new client with the filter beneath it, handing messages to the handler. */
  MqttAsyncClient create(String id, Consumer<Throwable> onConnectionLost) throws MqttException {
    MqttAsyncClient fresh =
        new FilteringMqttClient(
            settings.url(),
            id,
            settings.maxPayloadBytes(),
            handler::reject,
            webSockets,
            settings.connectTimeout());
    fresh.setCallback(new HandlerCallback(handler, onConnectionLost));
    return fresh;
  }

  /**
   * Disconnects {@code target}, cleanly or at once, and releases it; failures matter only at DEBUG.
   */
  static void release(MqttAsyncClient target, boolean cleanly) {
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

  static String kind(Throwable cause) {
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
}
