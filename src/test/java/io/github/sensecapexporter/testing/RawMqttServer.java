package io.github.sensecapexporter.testing;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * A minimal MQTT 3.1.1 server on 127.0.0.1 for tests that need to send what no real broker would:
 * frames are raw bytes, written as the test builds them. One connection at a time (a new one
 * replaces the old); it answers CONNECT, SUBSCRIBE, UNSUBSCRIBE and PINGREQ, records what the
 * client sends (client id, clean-session flag, requested QoS, PUBACK packet ids), and lets the test
 * {@link #send} any bytes at any time. Over plain TCP, TLS, WebSocket (RFC 6455, subprotocol {@code
 * mqtt}, unmasked binary frames from the server) or WebSocket over TLS.
 */
public final class RawMqttServer implements AutoCloseable {
  /** How the client reaches the server; {@link #url()} carries the matching scheme. */
  public enum Transport {
    TCP("tcp", false, false),
    SSL("ssl", true, false),
    WS("ws", false, true),
    WSS("wss", true, true);

    private final String scheme;
    private final boolean tls;
    private final boolean webSocket;

    Transport(String scheme, boolean tls, boolean webSocket) {
      this.scheme = scheme;
      this.tls = tls;
      this.webSocket = webSocket;
    }

    public boolean tls() {
      return tls;
    }

    @Override
    public String toString() {
      return scheme;
    }
  }

  private static final int CHUNK = 16 * 1024;
  private static final String WS_ACCEPT_SALT = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final Transport transport;
  private final ServerSocket serverSocket;
  private final Thread acceptor;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger disconnects = new AtomicInteger();
  private final AtomicInteger closedConnections = new AtomicInteger();
  private final List<Integer> pubacks = new CopyOnWriteArrayList<>();
  private final List<Integer> pubrecs = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> requestedQos = new LinkedHashMap<>();
  private volatile Connection current;
  private volatile String clientId;
  private volatile boolean cleanSession;
  private volatile boolean closed;

  private RawMqttServer(Transport transport, ServerSocket serverSocket) {
    this.transport = transport;
    this.serverSocket = serverSocket;
    this.acceptor = new Thread(this::acceptLoop, "raw-mqtt-accept-" + transport);
    this.acceptor.setDaemon(true);
    this.acceptor.start();
  }

  /** A plain TCP or WebSocket server. */
  public static RawMqttServer start(Transport transport) throws IOException {
    if (transport.tls) {
      throw new IllegalArgumentException(transport + " needs a certificate: use startTls");
    }
    return new RawMqttServer(transport, new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
  }

  /** A TLS or WebSocket-over-TLS server with a PEM certificate (chain) and PKCS#8 PEM key. */
  public static RawMqttServer startTls(Transport transport, TestPki.Pair certificate)
      throws Exception {
    if (!transport.tls) {
      return start(transport);
    }
    SSLServerSocket socket =
        (SSLServerSocket)
            sslContext(certificate)
                .getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    return new RawMqttServer(transport, socket);
  }

  private static SSLContext sslContext(TestPki.Pair pair) throws Exception {
    List<Certificate> chain = new ArrayList<>();
    try (InputStream in = Files.newInputStream(pair.cert())) {
      chain.addAll(CertificateFactory.getInstance("X.509").generateCertificates(in));
    }
    String pem = Files.readString(pair.key(), StandardCharsets.US_ASCII);
    String body = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
    PrivateKey key =
        KeyFactory.getInstance("RSA")
            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] password = "test".toCharArray();
    store.setKeyEntry("server", key, password, chain.toArray(new Certificate[0]));
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    return context;
  }

  /** The URL a client connects to: {@code tcp://}, {@code ssl://}, {@code ws://.../mqtt}... */
  public String url() {
    String base = transport.scheme + "://127.0.0.1:" + serverSocket.getLocalPort();
    return transport.webSocket ? base + "/mqtt" : base;
  }

  public Transport transport() {
    return transport;
  }

  /** CONNECTs received so far, over every connection. */
  public int connections() {
    return connections.get();
  }

  /** Connections that ended, whichever side ended them. */
  public int closedConnections() {
    return closedConnections.get();
  }

  /** DISCONNECT packets received. */
  public int disconnects() {
    return disconnects.get();
  }

  /** True while a client is connected (its CONNECT answered, its socket open). */
  public boolean hasClient() {
    Connection connection = current;
    return connection != null && connection.connected && !connection.socket.isClosed();
  }

  /** The client id of the last CONNECT. */
  public String clientId() {
    return clientId;
  }

  /** The clean-session flag of the last CONNECT. */
  public boolean cleanSession() {
    return cleanSession;
  }

  /** Each topic filter subscribed to, with the QoS requested for it (the last request wins). */
  public Map<String, Integer> requestedQos() {
    synchronized (requestedQos) {
      return Map.copyOf(requestedQos);
    }
  }

  /** Packet ids of the PUBACKs received, in order. */
  public List<Integer> pubacks() {
    return List.copyOf(pubacks);
  }

  /** Packet ids of the PUBRECs received, in order. */
  public List<Integer> pubrecs() {
    return List.copyOf(pubrecs);
  }

  /** Waits until {@code count} CONNECTs have been answered and the latest is still connected. */
  public void awaitConnections(int count, Duration timeout) {
    Await.until(
        timeout, count + " connection(s) to " + url(), () -> connections() >= count && hasClient());
  }

  // ---- sending -------------------------------------------------------------------------------

  /** Writes {@code frame} to the connected client as it is. */
  public void send(byte[] frame) throws IOException {
    Connection connection = requireClient();
    synchronized (connection.writeLock) {
      connection.out.write(frame);
      connection.out.flush();
    }
  }

  /** Sends a PUBLISH; {@code qos} may be anything the test wants the client to see, even 2 or 3. */
  public void publish(byte[] topic, byte[] payload, int qos, int packetId) throws IOException {
    send(publishFrame(topic, payload, qos, packetId));
  }

  /**
   * Sends a PUBLISH whose payload is {@code payloadLength} copies of {@code fill}, streamed from
   * one small buffer: hundreds of megabytes cost the test no memory.
   */
  public void publishStreamed(byte[] topic, long payloadLength, byte fill, int qos, int packetId)
      throws IOException {
    Connection connection = requireClient();
    byte[] chunk = new byte[CHUNK];
    Arrays.fill(chunk, fill);
    synchronized (connection.writeLock) {
      connection.out.write(publishHeader(topic, qos, packetId, payloadLength));
      long left = payloadLength;
      while (left > 0) {
        int n = (int) Math.min(chunk.length, left);
        connection.out.write(chunk, 0, n);
        left -= n;
      }
      connection.out.flush();
    }
  }

  /**
   * Over ws:// or wss://, starts one binary WebSocket frame that announces {@code announcedLength}
   * bytes, and sends {@code content} as its first bytes; the rest never comes.
   */
  public void startWebSocketFrame(long announcedLength, byte[] content) throws IOException {
    if (!transport.webSocket) {
      throw new IllegalStateException("not a WebSocket transport: " + transport);
    }
    Connection connection = requireClient();
    synchronized (connection.writeLock) {
      connection.out.flush();
      ByteBuffer header = ByteBuffer.allocate(10).put((byte) 0x82).put((byte) 127);
      header.putLong(announcedLength);
      connection.raw.write(header.array());
      connection.raw.write(content);
      connection.raw.flush();
    }
  }

  /** Closes the client's connection, as a broker that goes away would. */
  public void dropClient() throws IOException {
    Connection connection = current;
    if (connection != null) {
      connection.socket.close();
    }
  }

  private Connection requireClient() {
    Connection connection = current;
    if (connection == null || !connection.connected) {
      throw new IllegalStateException("no client connected to " + url());
    }
    return connection;
  }

  // ---- frames --------------------------------------------------------------------------------

  /** MQTT's variable-length encoding of a remaining length (up to 268,435,455). */
  public static byte[] remainingLength(long length) {
    if (length < 0 || length > 268_435_455L) {
      throw new IllegalArgumentException("remaining length out of range: " + length);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(4);
    do {
      int digit = (int) (length % 128);
      length /= 128;
      out.write(length > 0 ? digit | 0x80 : digit);
    } while (length > 0);
    return out.toByteArray();
  }

  /** A whole PUBLISH frame (DUP and RETAIN clear). */
  public static byte[] publishFrame(byte[] topic, byte[] payload, int qos, int packetId) {
    byte[] header = publishHeader(topic, qos, packetId, payload.length);
    byte[] frame = new byte[header.length + payload.length];
    System.arraycopy(header, 0, frame, 0, header.length);
    System.arraycopy(payload, 0, frame, header.length, payload.length);
    return frame;
  }

  /**
   * The start of a PUBLISH frame, everything before its payload: the fixed header announcing a
   * payload of {@code payloadLength} bytes, the topic and, above QoS 0, the packet id. Sent alone
   * it is a frame that announces a length it never sends.
   */
  public static byte[] publishHeader(byte[] topic, int qos, int packetId, long payloadLength) {
    if (topic.length > 0xFFFF) {
      throw new IllegalArgumentException("topic longer than 65535 bytes");
    }
    int variable = 2 + topic.length + (qos > 0 ? 2 : 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream(variable + 5);
    out.write(0x30 | (qos & 0x03) << 1);
    out.writeBytes(remainingLength(variable + payloadLength));
    out.write(topic.length >> 8);
    out.write(topic.length & 0xFF);
    out.writeBytes(topic);
    if (qos > 0) {
      out.write(packetId >> 8 & 0xFF);
      out.write(packetId & 0xFF);
    }
    return out.toByteArray();
  }

  /** A CONNECT (MQTT 3.1.1) with a user name and password when {@code username} is not null. */
  public static byte[] connectFrame(
      String clientId,
      boolean cleanSession,
      int keepAliveSeconds,
      String username,
      String password) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    writeString(body, "MQTT".getBytes(StandardCharsets.US_ASCII));
    body.write(4);
    int flags = (cleanSession ? 0x02 : 0) | (username != null ? 0xC0 : 0);
    body.write(flags);
    body.write(keepAliveSeconds >> 8);
    body.write(keepAliveSeconds & 0xFF);
    writeString(body, clientId.getBytes(StandardCharsets.UTF_8));
    if (username != null) {
      writeString(body, username.getBytes(StandardCharsets.UTF_8));
      writeString(body, password.getBytes(StandardCharsets.UTF_8));
    }
    return frame(0x10, body.toByteArray());
  }

  /** A frame of the given first byte and body, its remaining length encoded in between. */
  public static byte[] frame(int firstByte, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 5);
    out.write(firstByte);
    out.writeBytes(remainingLength(body.length));
    out.writeBytes(body);
    return out.toByteArray();
  }

  private static void writeString(ByteArrayOutputStream out, byte[] bytes) {
    out.write(bytes.length >> 8);
    out.write(bytes.length & 0xFF);
    out.writeBytes(bytes);
  }

  /** Reads one MQTT frame: its first byte, then its body (remaining-length bytes). */
  public static Frame readFrame(InputStream in) throws IOException {
    int first = in.read();
    if (first < 0) {
      throw new EOFException();
    }
    long length = 0;
    int shift = 0;
    int digit;
    do {
      digit = in.read();
      if (digit < 0) {
        throw new EOFException();
      }
      length |= (long) (digit & 0x7F) << shift;
      shift += 7;
      if (shift > 21 && (digit & 0x80) != 0) {
        throw new IOException("malformed remaining length");
      }
    } while ((digit & 0x80) != 0);
    byte[] body = new byte[(int) length];
    new DataInputStream(in).readFully(body);
    return new Frame(first, body);
  }

  /** One MQTT frame read from the client. */
  public record Frame(int firstByte, byte[] body) {
    public int type() {
      return firstByte >> 4;
    }

    /** The packet id at the start of the body (PUBACK, PUBREC, SUBACK...). */
    public int packetId() {
      return (body[0] & 0xFF) << 8 | body[1] & 0xFF;
    }
  }

  // ---- serving -------------------------------------------------------------------------------

  private void acceptLoop() {
    while (!closed) {
      Socket socket;
      try {
        socket = serverSocket.accept();
      } catch (IOException e) {
        if (!closed) {
          System.err.println("raw MQTT server: accept failed: " + e);
        }
        return;
      }
      Connection previous = current;
      if (previous != null) {
        closeQuietly(previous.socket);
      }
      Connection connection = new Connection(socket);
      current = connection;
      Thread reader = new Thread(() -> serve(connection), "raw-mqtt-" + transport);
      reader.setDaemon(true);
      reader.start();
    }
  }

  private void serve(Connection connection) {
    try {
      connection.socket.setTcpNoDelay(true);
      InputStream in = connection.socket.getInputStream();
      OutputStream raw = new BufferedOutputStream(connection.socket.getOutputStream(), CHUNK + 8);
      connection.raw = raw;
      if (transport.webSocket) {
        in = WebSocket.handshake(in, raw);
        connection.out = new BufferedOutputStream(new WebSocket.Output(raw), CHUNK);
      } else {
        connection.out = raw;
      }
      while (true) {
        Frame frame = readFrame(in);
        if (!handle(connection, frame)) {
          break;
        }
      }
    } catch (IOException e) {
      // The client went away or the connection was replaced.
    } finally {
      connection.connected = false;
      closeQuietly(connection.socket);
      closedConnections.incrementAndGet();
    }
  }

  /** Answers one frame from the client; false when the connection is to end. */
  private boolean handle(Connection connection, Frame frame) throws IOException {
    byte[] body = frame.body();
    switch (frame.type()) {
      case 1 -> { // CONNECT
        int at = 2 + ((body[0] & 0xFF) << 8 | body[1] & 0xFF); // past the protocol name
        int flags = body[at + 1] & 0xFF;
        int idLength = (body[at + 4] & 0xFF) << 8 | body[at + 5] & 0xFF;
        clientId = new String(body, at + 6, idLength, StandardCharsets.UTF_8);
        cleanSession = (flags & 0x02) != 0;
        write(connection, new byte[] {0x20, 0x02, 0x00, 0x00});
        connection.connected = true;
        connections.incrementAndGet();
      }
      case 3 -> { // PUBLISH from the client: acknowledge at QoS 1, never expected
        int qos = frame.firstByte() >> 1 & 0x03;
        if (qos == 1) {
          int topicLength = (body[0] & 0xFF) << 8 | body[1] & 0xFF;
          write(connection, new byte[] {0x40, 0x02, body[2 + topicLength], body[3 + topicLength]});
        }
      }
      case 4 -> pubacks.add(frame.packetId());
      case 5 -> pubrecs.add(frame.packetId());
      case 8 -> { // SUBSCRIBE
        ByteArrayOutputStream granted = new ByteArrayOutputStream();
        granted.write(body[0]);
        granted.write(body[1]);
        int at = 2;
        while (at < body.length) {
          int length = (body[at] & 0xFF) << 8 | body[at + 1] & 0xFF;
          String filter = new String(body, at + 2, length, StandardCharsets.UTF_8);
          int qos = body[at + 2 + length] & 0x03;
          synchronized (requestedQos) {
            requestedQos.put(filter, qos);
          }
          granted.write(qos);
          at += 3 + length;
        }
        write(connection, frame(0x90, granted.toByteArray()));
      }
      case 10 -> write(connection, new byte[] {(byte) 0xB0, 0x02, body[0], body[1]}); // UNSUBACK
      case 12 -> write(connection, new byte[] {(byte) 0xD0, 0x00}); // PINGRESP
      case 14 -> { // DISCONNECT
        disconnects.incrementAndGet();
        return false;
      }
      default -> {
        // PUBREL, PUBCOMP...: nothing to answer.
      }
    }
    return true;
  }

  private static void write(Connection connection, byte[] frame) throws IOException {
    synchronized (connection.writeLock) {
      connection.out.write(frame);
      connection.out.flush();
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Closing anyway.
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      serverSocket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Connection connection = current;
    if (connection != null) {
      closeQuietly(connection.socket);
    }
  }

  private static final class Connection {
    final Socket socket;
    final Object writeLock = new Object();
    volatile OutputStream out;

    /** Beneath the WebSocket framing, where there is one. */
    volatile OutputStream raw;

    volatile boolean connected;

    Connection(Socket socket) {
      this.socket = socket;
    }
  }

  /** Just enough of RFC 6455 for an MQTT client: binary frames, close, ping. */
  static final class WebSocket {
    private WebSocket() {}

    /** Answers the client's upgrade request; returns the stream of its frames' payloads. */
    static InputStream handshake(InputStream in, OutputStream out) throws IOException {
      String key = null;
      String protocols = "";
      String line = readLine(in);
      if (!line.startsWith("GET ")) {
        throw new IOException("not a WebSocket upgrade: " + line);
      }
      while (!(line = readLine(in)).isEmpty()) {
        int colon = line.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).trim();
        if (name.equals("sec-websocket-key")) {
          key = value;
        } else if (name.equals("sec-websocket-protocol")) {
          protocols = value;
        }
      }
      if (key == null || !List.of(protocols.split("\\s*,\\s*")).contains("mqtt")) {
        out.write(
            "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        throw new IOException("WebSocket upgrade without a key or the mqtt subprotocol");
      }
      String accept;
      try {
        accept =
            Base64.getEncoder()
                .encodeToString(
                    MessageDigest.getInstance("SHA-1")
                        .digest((key + WS_ACCEPT_SALT).getBytes(StandardCharsets.US_ASCII)));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      out.write(
          ("HTTP/1.1 101 Switching Protocols\r\n"
                  + "Upgrade: websocket\r\n"
                  + "Connection: Upgrade\r\n"
                  + "Sec-WebSocket-Accept: "
                  + accept
                  + "\r\n"
                  + "Sec-WebSocket-Protocol: mqtt\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new Input(in, out);
    }

    private static String readLine(InputStream in) throws IOException {
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new EOFException();
        }
        if (c != '\r') {
          line.append((char) c);
        }
        if (line.length() > 8192) {
          throw new IOException("header line too long");
        }
      }
      return line.toString();
    }

    /** The payloads of the client's (masked) frames as one stream; answers pings. */
    static final class Input extends InputStream {
      private final DataInputStream in;
      private final OutputStream out;
      private final byte[] mask = new byte[4];
      private long left;
      private long position;
      private boolean masked;

      Input(InputStream in, OutputStream out) {
        this.in = new DataInputStream(in);
        this.out = out;
      }

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        while (left == 0) {
          if (!nextDataFrame()) {
            return -1;
          }
        }
        int n = in.read(buffer, offset, (int) Math.min(length, left));
        if (n < 0) {
          throw new EOFException();
        }
        if (masked) {
          for (int i = 0; i < n; i++) {
            buffer[offset + i] ^= mask[(int) (position++ & 3)];
          }
        }
        left -= n;
        return n;
      }

      /** Reads the next frame's header; false at a close frame. */
      private boolean nextDataFrame() throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        int opcode = first & 0x0F;
        masked = (second & 0x80) != 0;
        long length = second & 0x7F;
        if (length == 126) {
          length = in.readUnsignedShort();
        } else if (length == 127) {
          length = in.readLong();
        }
        if (masked) {
          in.readFully(mask);
        }
        position = 0;
        if (opcode == 0 || opcode == 1 || opcode == 2) {
          left = length;
          return true;
        }
        byte[] control = new byte[(int) length];
        in.readFully(control);
        if (masked) {
          for (int i = 0; i < control.length; i++) {
            control[i] ^= mask[i & 3];
          }
        }
        if (opcode == 8) {
          return false;
        }
        if (opcode == 9) { // ping: pong with the same data
          synchronized (out) {
            out.write(0x8A);
            out.write(control.length);
            out.write(control);
            out.flush();
          }
        }
        return true; // pong or unknown control frame: skipped
      }
    }

    /** Each write becomes unmasked binary frames of at most 16 KiB, as a server sends them. */
    static final class Output extends OutputStream {
      private final OutputStream out;

      Output(OutputStream out) {
        this.out = out;
      }

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] buffer, int offset, int length) throws IOException {
        synchronized (out) {
          while (length > 0) {
            int n = Math.min(length, CHUNK);
            out.write(0x82); // FIN, binary
            if (n < 126) {
              out.write(n);
            } else {
              out.write(126);
              out.write(n >> 8);
              out.write(n & 0xFF);
            }
            out.write(buffer, offset, n);
            offset += n;
            length -= n;
          }
        }
      }

      @Override
      public void flush() throws IOException {
        synchronized (out) {
          out.flush();
        }
      }
    }
  }
}
