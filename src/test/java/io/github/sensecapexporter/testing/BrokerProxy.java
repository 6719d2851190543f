package io.github.sensecapexporter.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands between clients and a broker on loopback, forwarding bytes both ways, and can keep new
 * clients off the broker, as a network that fails would.
 */
public final class BrokerProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int brokerPort;
  private final List<Link> links = new CopyOnWriteArrayList<>();
  private volatile boolean refusing;

  /** One client's connection and the proxy's to the broker on its behalf. */
  private record Link(Socket client, Socket broker) {
    void close() {
      closeQuietly(client);
      closeQuietly(broker);
    }
  }

  private BrokerProxy(ServerSocket server, int brokerPort) {
    this.server = server;
    this.brokerPort = brokerPort;
  }

  public static BrokerProxy start(int brokerPort) throws IOException {
    BrokerProxy proxy =
        new BrokerProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), brokerPort);
    daemon("proxy-accept", proxy::accept);
    return proxy;
  }

  public String url() {
    return "tcp://127.0.0.1:" + server.getLocalPort();
  }

  /** While refusing, a new connection is closed as soon as it is accepted. */
  public void refuseNewConnections(boolean refuse) {
    refusing = refuse;
  }

  /** Closes every connection made through the proxy, as a network that fails would. */
  public void dropConnections() {
    for (Link link : links) {
      end(link);
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        if (refusing) {
          closeQuietly(client);
          continue;
        }
        Link link = new Link(client, new Socket(InetAddress.getLoopbackAddress(), brokerPort));
        links.add(link);
        daemon("proxy-to-broker", () -> forward(link, link.client(), link.broker()));
        daemon("proxy-to-client", () -> forward(link, link.broker(), link.client()));
      } catch (IOException e) {
        // Closed, or the broker is gone: the client sees its connection fail.
      }
    }
  }

  private void forward(Link link, Socket from, Socket to) {
    try (InputStream in = from.getInputStream()) {
      OutputStream out = to.getOutputStream();
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // Either side closed.
    } finally {
      end(link);
    }
  }

  private void end(Link link) {
    links.remove(link);
    link.close();
  }

  private static void daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Nothing left to release.
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    dropConnections();
  }
}
