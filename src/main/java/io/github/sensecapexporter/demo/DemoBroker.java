package io.github.sensecapexporter.demo;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Properties;

/** An embedded Moquette MQTT broker on loopback, over TCP and WebSocket, that accepts anyone. */
public final class DemoBroker implements AutoCloseable {
  /** Large enough for the payload limit tests; Moquette's default is 8 KiB. */
  private static final int MAX_MESSAGE_BYTES = 1024 * 1024;

  private final Server server;
  private final String host;
  private final int port;
  private final int websocketPort;

  private DemoBroker(Server server, String host, int port, int websocketPort) {
    this.server = server;
    this.host = host;
    this.port = port;
    this.websocketPort = websocketPort;
  }

  /** Starts the broker; a port of 0 means a free one. */
  public static DemoBroker start(String host, int port, int websocketPort) throws IOException {
    int tcp = port == 0 ? freePort(host) : port;
    int websocket = websocketPort == 0 ? freePort(host) : websocketPort;
    Properties properties = new Properties();
    properties.setProperty("host", host);
    properties.setProperty("port", Integer.toString(tcp));
    properties.setProperty("websocket_port", Integer.toString(websocket));
    properties.setProperty("allow_anonymous", "true");
    properties.setProperty("persistence_enabled", "false");
    properties.setProperty("telemetry_enabled", "false");
    properties.setProperty("netty.mqtt.message_size", Integer.toString(MAX_MESSAGE_BYTES));
    Server server = new Server();
    server.startServer(new MemoryConfig(properties));
    return new DemoBroker(server, host, tcp, websocket);
  }

  private static int freePort(String host) throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
      return socket.getLocalPort();
    }
  }

  public String tcpUrl() {
    return "tcp://" + host + ":" + port;
  }

  public String websocketUrl() {
    return "ws://" + host + ":" + websocketPort + "/mqtt";
  }

  public int port() {
    return port;
  }

  public int websocketPort() {
    return websocketPort;
  }

  @Override
  public void close() {
    server.stopServer();
  }
}
