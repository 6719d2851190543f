package io.github.sensecapexporter.mqtt;

import io.github.sensecapexporter.concurrent.DaemonThreads;
import io.github.sensecapexporter.ingest.MessageHandler;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;

/**
 * Before the exporter first connects, sends made-up OpenStream messages at QoS 1 through Paho and a
 * message handler over a loopback socket, so that the JIT has compiled the path every message takes
 * (Paho's reading, hand-offs and acknowledgements; our parsing and storing) before the broker's
 * messages arrive.
 *
 * <p>Why: a cold JVM takes each message several times slower while it interprets and compiles, and
 * at QoS 1 a broker keeps only so much for a slow subscriber (mosquitto: 20 unacknowledged and
 * 1,000 queued) and drops the rest. Without this, a fresh exporter lost messages at 10,000-15,000
 * msg/s on the reference machine, where the C subscriber took 25,000 and more without loss
 * (PERFORMANCE.md, "Cold start").
 */
public final class WarmUp {
  private static final Logger LOG = Logger.getLogger(WarmUp.class.getName());
  private static final String CLIENT_ID = "sensecap-exporter-warm-up";

  /** Unacknowledged messages the feed allows, as mosquitto's default max_inflight_messages. */
  private static final int WINDOW = 20;

  /** The made-up feed's series: devices times measurement IDs. */
  private static final int DEVICES = 250;

  private static final int[] MEASUREMENT_IDS = {4097, 4098, 4099, 4100};

  private static final byte[][] TOPICS = topics();

  /** More than any made-up message needs. */
  private static final int MAX_PAYLOAD_BYTES = 1024;

  private WarmUp() {}

  /**
   * Sends {@code messages} messages through a fresh Paho client to {@code handler}; returns how
   * many the handler took. Gives up after {@code timeLimit}: a warm-up is never worth a failed
   * start.
   */
  public static int run(int messages, MessageHandler handler, Clock clock, Duration timeLimit) {
    if (messages <= 0) {
      return 0;
    }
    long started = System.nanoTime();
    long deadline = started + timeLimit.toNanos();
    // Paho acknowledges a message once the callback has returned: acknowledged means handled.
    AtomicInteger acknowledged = new AtomicInteger();
    CountDownLatch fed = new CountDownLatch(1);
    ExecutorService feeder = Executors.newSingleThreadExecutor(DaemonThreads.named("mqtt-warm-up"));
    MqttAsyncClient client = null;
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      server.setSoTimeout((int) timeLimit.toMillis());
      Future<?> feed =
          feeder.submit(() -> feed(server, messages, clock, timeLimit, acknowledged, fed));
      client =
          new FilteringMqttClient(
              "tcp://"
                  + InetAddress.getLoopbackAddress().getHostAddress()
                  + ":"
                  + server.getLocalPort(),
              CLIENT_ID,
              MAX_PAYLOAD_BYTES,
              handler::reject,
              null, // tcp:// only
              timeLimit);
      client.setCallback(new HandlerCallback(handler, cause -> {}));
      MqttConnectOptions options = new MqttConnectOptions();
      options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
      options.setSocketFactory(new PlainSocketFactory());
      options.setAutomaticReconnect(false);
      client.connect(options).waitForCompletion(millisLeft(deadline));
      client.subscribe("#", 1).waitForCompletion(millisLeft(deadline));
      if (!fed.await(millisLeft(deadline), TimeUnit.MILLISECONDS)) {
        throw new TimeoutException("no time left after " + timeLimit.toMillis() + " ms");
      }
      if (feed.isDone()) {
        feed.get(); // the feed stopped before the end: says why
      }
    } catch (IOException | MqttException | ExecutionException | TimeoutException e) {
      LOG.warning("warm-up stopped early: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      feeder.shutdownNow();
      close(client);
    }
    LOG.info(
        "warmed up on "
            + acknowledged.get()
            + " made-up messages in "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)
            + " ms");
    return acknowledged.get();
  }

  /** At least a millisecond: Paho reads 0 as "wait for ever". */
  private static long millisLeft(long deadlineNanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  private static void close(MqttAsyncClient client) {
    if (client == null) {
      return;
    }
    try {
      // A DISCONNECT when connected; else (the time ran out while connecting) no wait for one.
      client.disconnectForcibly(0, 100, client.isConnected());
    } catch (MqttException e) {
      // The feed has gone: there is nothing to say goodbye to.
    }
    try {
      client.close();
    } catch (MqttException e) {
      // Still connecting when the time ran out; its threads end when the feed's socket closes.
    }
  }

  /**
   * Plays the broker's part for one client: CONNACK, SUBACK, then the messages, 20 in flight.
   * Counts {@code fed} down when every message is acknowledged, or the feed failed.
   */
  private static Void feed(
      ServerSocket server,
      int messages,
      Clock clock,
      Duration timeLimit,
      AtomicInteger acknowledged,
      CountDownLatch fed)
      throws IOException {
    try (Socket socket = server.accept()) {
      socket.setSoTimeout((int) timeLimit.toMillis());
      DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      OutputStream out = new BufferedOutputStream(socket.getOutputStream());
      readPacket(in); // CONNECT
      out.write(new byte[] {0x20, 2, 0, 0});
      out.flush();
      byte[] subscribe = readPacket(in);
      out.write(new byte[] {(byte) 0x90, 3, subscribe[0], subscribe[1], 1});
      out.flush();
      int inFlight = 0;
      for (int i = 0; i < messages; i++) {
        out.write(publish(i, clock.millis()));
        if (++inFlight == WINDOW) {
          out.flush();
          readPacket(in); // PUBACK
          acknowledged.incrementAndGet();
          inFlight--;
        }
      }
      out.flush();
      for (; inFlight > 0; inFlight--) {
        readPacket(in);
        acknowledged.incrementAndGet();
      }
      fed.countDown();
      // As a broker would, leave closing to the client, whose DISCONNECT then goes out at once.
      while (in.read() >= 0) {
        // its DISCONNECT
      }
    } finally {
      fed.countDown();
    }
    return null;
  }

  /** One QoS 1 PUBLISH of a SenseCAP reading, its packet id cycling through 1..65535. */
  private static byte[] publish(int index, long nowMillis) {
    byte[] topic = TOPICS[index % TOPICS.length];
    byte[] body =
        ("{\"value\":" + (index % 1000) / 10.0 + ",\"timestamp\":" + nowMillis + "}")
            .getBytes(StandardCharsets.UTF_8);
    int packetId = index % 65535 + 1;
    ByteArrayOutputStream packet = new ByteArrayOutputStream(8 + topic.length + body.length);
    packet.write(0x32);
    int remaining = 2 + topic.length + 2 + body.length;
    do {
      int digit = remaining % 128;
      remaining /= 128;
      packet.write(remaining > 0 ? digit | 0x80 : digit);
    } while (remaining > 0);
    packet.write(topic.length >> 8);
    packet.write(topic.length);
    packet.writeBytes(topic);
    packet.write(packetId >> 8);
    packet.write(packetId);
    packet.writeBytes(body);
    return packet.toByteArray();
  }

  private static byte[][] topics() {
    byte[][] topics = new byte[DEVICES * MEASUREMENT_IDS.length][];
    for (int i = 0; i < topics.length; i++) {
      int device = i % DEVICES;
      topics[i] =
          String.format(
                  "/device_sensor_data/1/2CF7F1C0%08X/1/2CF7F1C1%08X/%d",
                  device, device, MEASUREMENT_IDS[i / DEVICES])
              .getBytes(StandardCharsets.UTF_8);
    }
    return topics;
  }

  /** Reads one packet and returns what follows its fixed header. */
  private static byte[] readPacket(DataInputStream in) throws IOException {
    if (in.read() < 0) {
      throw new EOFException("the warm-up client closed the connection");
    }
    int length = 0;
    int shift = 0;
    int digit;
    do {
      digit = in.readUnsignedByte();
      length |= (digit & 0x7f) << shift;
      shift += 7;
    } while ((digit & 0x80) != 0 && shift < 28);
    byte[] rest = new byte[length];
    in.readFully(rest);
    return rest;
  }
}
