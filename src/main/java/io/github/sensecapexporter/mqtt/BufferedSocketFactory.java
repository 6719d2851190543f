package io.github.sensecapexporter.mqtt;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Plain sockets whose input is buffered. Paho reads each packet's fixed header a byte at a time
 * from the socket it is given; from a bare socket that is a system call per byte, three or more per
 * message (PERFORMANCE.md). TLS sockets buffer whole records already and do not need this.
 */
final class BufferedSocketFactory extends SocketFactory {
  private static final int BUFFER_BYTES = 64 * 1024;

  @Override
  public Socket createSocket() {
    return new BufferedSocket();
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

  private static Socket connected(InetSocketAddress remote, InetSocketAddress local)
      throws IOException {
    Socket socket = new BufferedSocket();
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
