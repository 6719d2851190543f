package io.github.sensecapexporter.mqtt;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Plain (not TLS) sockets set up for Paho's traffic; PERFORMANCE.md has the measurements.
 *
 * <ul>
 *   <li>Input is buffered. Paho reads each packet's fixed header a byte at a time from the socket
 *       it is given; from a bare socket that is a system call per byte, three or more per message.
 *       TLS sockets buffer whole records already.
 *   <li>Nagle's algorithm is off. Paho leaves it on, so a PUBACK written while the one before is
 *       not yet acknowledged by the broker's TCP stack waits in the kernel, and the broker sends
 *       only so many QoS 1 messages ahead of their PUBACKs (20 in mosquitto).
 * </ul>
 */
final class PlainSocketFactory extends SocketFactory {
  private static final int BUFFER_BYTES = 64 * 1024;

  @Override
  public Socket createSocket() throws IOException {
    Socket socket = new BufferedSocket();
    try {
      socket.setTcpNoDelay(true);
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return connected(
        new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(InetAddress host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return connected(
        new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
  }

  private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
    Socket socket = createSocket();
    try {
      if (local != null) {
        socket.bind(local);
      }
      socket.connect(remote);
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  private static final class BufferedSocket extends Socket {
    private InputStream input;

    @Override
    public synchronized InputStream getInputStream() throws IOException {
      // One stream for the socket's life: bytes read ahead must reach whoever reads next.
      if (input == null) {
        input = new BufferedInputStream(super.getInputStream(), BUFFER_BYTES);
      }
      return input;
    }
  }
}
