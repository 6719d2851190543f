package io.github.sensecapexporter.mqtt;

import io.github.sensecapexporter.metrics.DropReason;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Reads the broker's bytes a whole MQTT packet at a time before Paho does, and hands Paho only what
 * it can take. Paho decodes every PUBLISH topic on its receiver thread and throws an unchecked
 * exception for a character it dislikes, which kills that thread; it allocates whatever length a
 * packet announces; and it holds a QoS 2 message until the broker releases it. So:
 *
 * <ul>
 *   <li>A PUBLISH whose topic is not printable ASCII, or whose payload is larger than the limit,
 *       reaches Paho as a PUBLISH of {@link #DISCARDED_TOPIC} with no payload and the same packet
 *       ID: Paho acknowledges it as usual, in order, so no session redelivers it, and the callback
 *       ignores it. The payload is skipped as it arrives, never held.
 *   <li>A QoS 2 PUBLISH (never granted: the exporter subscribes at most at QoS 1) or a malformed
 *       packet is the broker's error: the stream fails, Paho reports the connection lost and the
 *       subscriber reconnects.
 * </ul>
 *
 * <p>Each PUBLISH that does not reach the callback is reported to {@link Rejections}, so every
 * message the broker sends is counted. Memory: one packet buffer, at most a topic and the largest
 * payload accepted.
 *
 * <p>Paho's sockets time out every second so that its reader can look up; a timeout between packets
 * reaches Paho, which reads again, but inside a packet the filter waits on, since the packet is
 * only ever handed over whole. A broker that stops inside a packet answers no ping, and Paho's
 * keep-alive ends the connection.
 */
final class InboundFilter extends InputStream {
  /** What a refused PUBLISH becomes; a broker's own PUBLISH of it is refused like any other. */
  static final String DISCARDED_TOPIC = "$sensecap-exporter/discarded";

  private static final byte[] DISCARDED = DISCARDED_TOPIC.getBytes(StandardCharsets.US_ASCII);
  private static final int PUBLISH = 3;

  /** The broker's other packets (CONNACK, SUBACK, PUBACK, PINGRESP...) are a few bytes each. */
  private static final int MAX_CONTROL_PACKET_BYTES = 4096;

  private static final int LOGGED_TOPIC_CHARS = 120;
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** Where refused messages are counted. */
  interface Rejections {
    void rejected(DropReason reason, String topic, String detail);
  }

  private final InputStream in;
  private final int maxPayloadBytes;
  private final int maxPacketBytes;
  private final Rejections rejections;
  private final byte[] topic = new byte[0xFFFF];
  private final byte[] scratch = new byte[8192];
  private byte[] packet = new byte[512];
  private int position;
  private int limit;

  InboundFilter(InputStream in, int maxPayloadBytes, Rejections rejections) {
    this.in = in;
    this.maxPayloadBytes = maxPayloadBytes;
    this.maxPacketBytes = 5 + 2 + topic.length + 2 + maxPayloadBytes;
    this.rejections = rejections;
  }

  @Override
  public int read() throws IOException {
    if (position == limit && !nextPacket()) {
      return -1;
    }
    return packet[position++] & 0xFF;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    if (position == limit && !nextPacket()) {
      return -1;
    }
    int count = Math.min(length, limit - position);
    System.arraycopy(packet, position, buffer, offset, count);
    position += count;
    return count;
  }

  @Override
  public int available() {
    return limit - position;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  /** Reads the next packet into the buffer, rewritten where need be; false at the stream's end. */
  private boolean nextPacket() throws IOException {
    int first = in.read();
    if (first < 0) {
      return false;
    }
    int remaining = readRemainingLength();
    position = 0;
    limit = 0;
    if (first >>> 4 != PUBLISH) {
      if (remaining > MAX_CONTROL_PACKET_BYTES) {
        throw new IOException(
            "the broker sent a packet of type " + (first >>> 4) + " of " + remaining + " bytes");
      }
      writeHeader(first, remaining);
      readFully(packet, limit, remaining);
      limit += remaining;
      return true;
    }
    int qos = (first >> 1) & 3;
    if (qos > 1) {
      rejections.rejected(
          DropReason.PROTOCOL_ERROR,
          "",
          "a PUBLISH at QoS " + qos + " although no subscription was granted above QoS 1");
      throw new IOException("the broker sent a PUBLISH at QoS " + qos + "; reconnecting");
    }
    int idBytes = qos == 0 ? 0 : 2;
    if (remaining < 2 + idBytes) {
      rejections.rejected(DropReason.PROTOCOL_ERROR, "", "a PUBLISH too short for its header");
      throw new IOException("the broker sent a malformed PUBLISH; reconnecting");
    }
    int topicLength = readUnsignedShort();
    if (topicLength > remaining - 2 - idBytes) {
      rejections.rejected(
          DropReason.PROTOCOL_ERROR, "", "a PUBLISH whose topic is longer than the packet");
      throw new IOException("the broker sent a malformed PUBLISH; reconnecting");
    }
    readFully(topic, 0, topicLength);
    int packetId = idBytes == 0 ? 0 : readUnsignedShort();
    int payloadLength = remaining - 2 - topicLength - idBytes;
    if (!printableAscii(topic, topicLength) || startsWithDollar(topicLength)) {
      skip(payloadLength);
      discard(
          first, qos, packetId, DropReason.INVALID_TOPIC, "not an OpenStream topic", topicLength);
    } else if (payloadLength > maxPayloadBytes) {
      skip(payloadLength);
      discard(
          first,
          qos,
          packetId,
          DropReason.PAYLOAD_TOO_LARGE,
          payloadLength + " bytes, more than sensecap.mqtt.max-payload-size",
          topicLength);
    } else {
      writeHeader(first, remaining);
      writeShort(topicLength);
      write(topic, topicLength);
      if (idBytes > 0) {
        writeShort(packetId);
      }
      readFully(packet, limit, payloadLength);
      limit += payloadLength;
    }
    return true;
  }

  /** Replaces the packet with a PUBLISH of {@link #DISCARDED_TOPIC}, same QoS and packet ID. */
  private void discard(
      int first, int qos, int packetId, DropReason reason, String detail, int topicLength) {
    rejections.rejected(reason, printable(topic, topicLength), detail);
    writeHeader(first, 2 + DISCARDED.length + (qos == 0 ? 0 : 2));
    writeShort(DISCARDED.length);
    write(DISCARDED, DISCARDED.length);
    if (qos > 0) {
      writeShort(packetId);
    }
  }

  /** Bytes that Paho decodes to themselves and accepts: no other byte occurs in OpenStream. */
  private static boolean printableAscii(byte[] bytes, int length) {
    for (int i = 0; i < length; i++) {
      if (bytes[i] < 0x20 || bytes[i] > 0x7E) {
        return false;
      }
    }
    return true;
  }

  private boolean startsWithDollar(int topicLength) {
    return topicLength > 0 && topic[0] == '$';
  }

  /** The topic for a log line: printable ASCII as it is, every other byte as {@code \xNN}. */
  static String printable(byte[] bytes, int length) {
    StringBuilder text = new StringBuilder(LOGGED_TOPIC_CHARS + 8);
    int i = 0;
    for (; i < length && text.length() < LOGGED_TOPIC_CHARS; i++) {
      int b = bytes[i] & 0xFF;
      if (b >= 0x20 && b <= 0x7E && b != '\\') {
        text.append((char) b);
      } else {
        text.append('\\').append('x').append(HEX[b >>> 4]).append(HEX[b & 0xF]);
      }
    }
    return i < length ? text.append("...").toString() : text.toString();
  }

  private int readRemainingLength() throws IOException {
    int value = 0;
    for (int shift = 0; shift < 28; shift += 7) {
      int b = readByte();
      value |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IOException("the broker sent a malformed remaining length");
  }

  private int readUnsignedShort() throws IOException {
    return (readByte() << 8) | readByte();
  }

  private int readByte() throws IOException {
    readFully(scratch, 0, 1);
    return scratch[0] & 0xFF;
  }

  private void readFully(byte[] target, int offset, int length) throws IOException {
    int done = 0;
    while (done < length) {
      done += readSome(target, offset + done, length - done);
    }
  }

  private void skip(int length) throws IOException {
    int left = length;
    while (left > 0) {
      left -= readSome(scratch, 0, Math.min(left, scratch.length));
    }
  }

  /** Reads at least one byte of a packet begun, through the socket's timeouts. */
  private int readSome(byte[] target, int offset, int length) throws IOException {
    while (true) {
      try {
        int count = in.read(target, offset, length);
        if (count < 0) {
          throw new EOFException("the connection ended inside a packet");
        }
        if (count > 0) {
          return count;
        }
      } catch (SocketTimeoutException e) {
        // Paho's read timeout; the rest of the packet is still to come.
      }
    }
  }

  private void writeHeader(int first, int remaining) {
    ensureCapacity(limit + 5 + remaining);
    packet[limit++] = (byte) first;
    int value = remaining;
    do {
      int digit = value & 0x7F;
      value >>>= 7;
      packet[limit++] = (byte) (value > 0 ? digit | 0x80 : digit);
    } while (value > 0);
  }

  private void writeShort(int value) {
    packet[limit++] = (byte) (value >>> 8);
    packet[limit++] = (byte) value;
  }

  private void write(byte[] bytes, int length) {
    System.arraycopy(bytes, 0, packet, limit, length);
    limit += length;
  }

  private void ensureCapacity(int needed) {
    if (needed > packet.length) {
      byte[] larger = new byte[Math.max(needed, Math.min(packet.length * 2, maxPacketBytes))];
      System.arraycopy(packet, 0, larger, 0, limit);
      packet = larger;
    }
  }
}
