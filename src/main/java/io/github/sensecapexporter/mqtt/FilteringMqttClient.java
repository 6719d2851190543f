package io.github.sensecapexporter.mqtt;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.TimerPingSender;
import org.eclipse.paho.client.mqttv3.internal.NetworkModule;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Paho's client with an {@link InboundFilter} between each connection and Paho's reader. The filter
 * wraps the network module's stream, which carries MQTT packets whatever the transport: TLS and
 * WebSocket framing are already undone there, so one filter holds for tcp://, ssl://, ws:// and
 * wss://. A socket factory's streams would see WebSocket frames; this is the one place Paho lets a
 * client reach the packet stream, through {@link #createNetworkModules}. WebSocket URLs get a
 * {@link WebSocketModule} instead of Paho's own. Its threads are {@link PahoThreads}'.
 */
final class FilteringMqttClient extends MqttAsyncClient {
  private final int maxPayloadBytes;
  private final InboundFilter.Rejections rejections;
  private final HttpClient webSockets;
  private final Duration connectTimeout;

  /** {@code webSockets}: what carries ws:// and wss://; null where the URL is neither. */
  FilteringMqttClient(
      String url,
      String clientId,
      int maxPayloadBytes,
      InboundFilter.Rejections rejections,
      HttpClient webSockets,
      Duration connectTimeout)
      throws MqttException {
    // Paho's own ping timer, as without an executor; the executor only makes threads.
    super(url, clientId, new MemoryPersistence(), new TimerPingSender(), PahoThreads.SHARED);
    this.maxPayloadBytes = maxPayloadBytes;
    this.rejections = rejections;
    this.webSockets = webSockets;
    this.connectTimeout = connectTimeout;
  }

  static boolean isWebSocket(String url) {
    String scheme = url.substring(0, Math.max(0, url.indexOf(':'))).toLowerCase(Locale.ROOT);
    return scheme.equals("ws") || scheme.equals("wss");
  }

  /** The HTTP client for WebSocket connections; each one holds a selector thread, so share it. */
  static HttpClient webSocketClient(SSLContext tls, Duration connectTimeout) {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(connectTimeout);
    if (tls != null) {
      builder.sslContext(tls);
    }
    return builder.build();
  }

  @Override
  protected NetworkModule[] createNetworkModules(String address, MqttConnectOptions options)
      throws MqttException {
    NetworkModule[] modules = super.createNetworkModules(address, options);
    // One module for each URL, in this order (a module's own URL leaves out a WebSocket path).
    String[] urls = options.getServerURIs();
    if (urls == null || urls.length == 0) {
      urls = new String[] {address};
    }
    for (int i = 0; i < modules.length; i++) {
      String url = urls[i];
      NetworkModule module =
          isWebSocket(url)
              ? new WebSocketModule(webSockets, URI.create(url), connectTimeout)
              : modules[i];
      modules[i] = new Filtered(module);
    }
    return modules;
  }

  /** A network module whose input is read through a fresh filter for each connection. */
  private final class Filtered implements NetworkModule {
    private final NetworkModule module;
    private InputStream input;

    Filtered(NetworkModule module) {
      this.module = module;
    }

    @Override
    public void start() throws IOException, MqttException {
      module.start();
      input = new InboundFilter(module.getInputStream(), maxPayloadBytes, rejections);
    }

    @Override
    public InputStream getInputStream() {
      return input;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
      return module.getOutputStream();
    }

    @Override
    public void stop() throws IOException {
      module.stop();
    }

    @Override
    public String getServerURI() {
      return module.getServerURI();
    }
  }
}
