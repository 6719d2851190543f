package io.github.sensecapexporter.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 written by hand on a plain socket, for what HttpClient will not send (TRACE, made-up
 * methods, absolute and odd request targets) and for clients that misbehave on purpose.
 */
public final class RawHttp {
  private RawHttp() {}

  /**
   * Sends {@code method target} with {@code Connection: close} and the headers given (whole lines
   * without CRLF), and returns the whole response, or throws if none came within 10 s.
   */
  public static String exchange(int port, String method, String target, String... headers) {
    StringBuilder request =
        new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (String header : headers) {
      request.append(header).append("\r\n");
    }
    request.append("Connection: close\r\n\r\n");
    try (Socket socket = connect(port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(response);
      return response.toString(StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The status code of a response {@link #exchange} returned. */
  public static int status(String response) {
    return Integer.parseInt(response.substring(9, 12));
  }

  public static Socket connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    return socket;
  }

  /**
   * Reads until the server closes the connection, and returns how long that took; throws if it was
   * still open after {@code timeoutMillis}.
   */
  public static long millisUntilClosed(Socket socket, int timeoutMillis) throws IOException {
    long start = System.nanoTime();
    socket.setSoTimeout(timeoutMillis);
    InputStream in = socket.getInputStream();
    try {
      while (in.read() >= 0) {
        // the server may answer before it closes; only the close matters
      }
    } catch (SocketException e) {
      // a reset is a close too
    }
    return (System.nanoTime() - start) / 1_000_000;
  }
}
