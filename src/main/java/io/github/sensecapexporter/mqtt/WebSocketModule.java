package io.github.sensecapexporter.mqtt;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.paho.client.mqttv3.internal.NetworkModule;

/**
 * MQTT over WebSocket (ws:// and wss://) through the JDK's WebSocket client, in place of Paho's.
 * Paho's reads every WebSocket frame whole into an array of the length the frame announces, on a
 * thread of its own that an absurd length kills; the JDK's hands a frame on in pieces as they
 * arrive. Here each piece is read by Paho before the next is asked for, so memory stays bounded
 * whatever a broker announces, and the {@link InboundFilter} sees MQTT packets as it does over TCP.
 */
final class WebSocketModule implements NetworkModule {
  private static final String SUBPROTOCOL = "mqtt";

  private final HttpClient http;
  private final URI uri;
  private final Duration connectTimeout;
  private final Inbound inbound = new Inbound();
  private final Outbound outbound = new Outbound();

  WebSocketModule(HttpClient http, URI uri, Duration connectTimeout) {
    this.http = http;
    this.uri = uri;
    this.connectTimeout = connectTimeout;
  }

  @Override
  public void start() throws IOException {
    CompletableFuture<WebSocket> opening =
        http.newWebSocketBuilder()
            .subprotocols(SUBPROTOCOL)
            .connectTimeout(connectTimeout)
            .buildAsync(uri, inbound);
    try {
      opening.get(connectTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw new IOException(
          "WebSocket connection to " + uri + " failed: " + cause.getMessage(), cause);
    } catch (TimeoutException e) {
      abandon(opening);
      throw new IOException("WebSocket connection to " + uri + " timed out", e);
    } catch (InterruptedException e) {
      abandon(opening);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while connecting to " + uri);
    }
  }

  /** A handshake given up on may still finish: its connection is closed then. */
  private static void abandon(CompletableFuture<WebSocket> opening) {
    opening.thenAccept(WebSocket::abort);
  }

  @Override
  public InputStream getInputStream() {
    return inbound;
  }

  @Override
  public OutputStream getOutputStream() {
    return outbound;
  }

  @Override
  public void stop() {
    inbound.close();
  }

  @Override
  public String getServerURI() {
    return uri.toString();
  }

  /**
   * The broker's bytes: one piece of a binary message at a time, the next asked for only once Paho
   * has read this one.
   */
  private static final class Inbound extends InputStream implements WebSocket.Listener {
    private final byte[] one = new byte[1];
    private volatile WebSocket socket;
    private ByteBuffer piece;
    private CompletableFuture<Void> pieceRead;
    private boolean ended;
    private IOException failure;

    @Override
    public synchronized void onOpen(WebSocket webSocket) {
      socket = webSocket;
      webSocket.request(1);
    }

    @Override
    public synchronized CompletionStage<?> onBinary(
        WebSocket webSocket, ByteBuffer data, boolean last) {
      if (!data.hasRemaining()) {
        webSocket.request(1); // an empty frame, or the empty end of one
        return null;
      }
      piece = data;
      pieceRead = new CompletableFuture<>();
      notifyAll();
      return pieceRead;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      webSocket.abort();
      end(new IOException("the broker sent a text frame; MQTT travels in binary frames"));
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      end(null);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      end(new IOException("WebSocket failed: " + error.getMessage(), error));
    }

    synchronized void end(IOException cause) {
      if (!ended) {
        ended = true;
        failure = cause;
        notifyAll();
      }
    }

    @Override
    public synchronized int read() throws IOException {
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public void close() {
      WebSocket open = socket;
      if (open != null) {
        open.abort();
      }
      end(null);
    }

    @Override
    public synchronized int read(byte[] buffer, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      while (piece == null && !ended) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException();
        }
      }
      if (piece == null) {
        if (failure != null) {
          throw failure;
        }
        return -1;
      }
      int count = Math.min(length, piece.remaining());
      piece.get(buffer, offset, count);
      if (!piece.hasRemaining()) {
        piece = null;
        pieceRead.complete(null);
        socket.request(1);
      }
      return count;
    }

    @Override
    public synchronized int available() {
      return piece == null ? 0 : piece.remaining();
    }
  }

  /** Paho's bytes, sent as one binary message each time Paho flushes a packet. */
  private final class Outbound extends OutputStream {
    private byte[] buffer = new byte[256];
    private int size;

    @Override
    public void write(int b) {
      ensureCapacity(size + 1);
      buffer[size++] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      ensureCapacity(size + length);
      System.arraycopy(bytes, offset, buffer, size, length);
      size += length;
    }

    @Override
    public void flush() throws IOException {
      if (size == 0) {
        return;
      }
      ByteBuffer message = ByteBuffer.wrap(Arrays.copyOf(buffer, size));
      size = 0;
      try {
        // Blocks as a socket's write would; closing the connection ends the wait.
        inbound.socket.sendBinary(message, true).get();
      } catch (ExecutionException e) {
        throw new IOException("WebSocket send failed: " + e.getCause().getMessage(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException();
      }
    }

    private void ensureCapacity(int needed) {
      if (needed > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(needed, buffer.length * 2));
      }
    }
  }
}
