package io.github.sensecapexporter.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.metrics.DropReason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.lang.management.ManagementFactory;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttPublish;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttWireMessage;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InboundFilterTest {
  private static final int MAX_PAYLOAD = 1024;
  private static final String TOPIC = "/device_sensor_data/1/2CF7F1C04430065C/1/vs/4097";
  private static final byte[] BODY = "{\"value\":21.5}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] PINGRESP = {(byte) 0xD0, 0};
  private static final byte[] PUBACK = {0x40, 2, 0, 7};

  private final List<String> rejected = new ArrayList<>();

  private InboundFilter filter(InputStream broker) {
    return new InboundFilter(
        broker, MAX_PAYLOAD, (reason, topic, detail) -> rejected.add(reason.label() + " " + topic));
  }

  private byte[] through(byte[]... frames) throws IOException {
    return filter(new ByteArrayInputStream(concat(frames))).readAllBytes();
  }

  @Nested
  class PassedAsTheyAre {
    @Test
    void publishesAtQos0And1() throws IOException {
      byte[] qos0 = publish(0, 0, ascii(TOPIC), BODY);
      byte[] qos1 = publish(1, 513, ascii(TOPIC), BODY);
      assertArrayEquals(concat(qos0, qos1), through(qos0, qos1));
      assertEquals(List.of(), rejected);
    }

    @Test
    void theBrokersOtherPackets() throws IOException {
      byte[] connack = {0x20, 2, 0, 0};
      byte[] suback = {(byte) 0x90, 4, 0, 1, 1, 0};
      assertArrayEquals(
          concat(connack, suback, PUBACK, PINGRESP), through(connack, suback, PUBACK, PINGRESP));
    }

    @Test
    void aPayloadOfExactlyTheLimitAndAnEmptyOne() throws IOException {
      byte[] largest = publish(1, 1, ascii(TOPIC), new byte[MAX_PAYLOAD]);
      byte[] empty = publish(0, 0, ascii(TOPIC), new byte[0]);
      assertArrayEquals(concat(largest, empty), through(largest, empty));
    }

    @Test
    void packetsSplitAcrossReadsOneByteAtATime() throws IOException {
      byte[] frames = concat(publish(1, 9, ascii(TOPIC), BODY), PINGRESP);
      InputStream trickle =
          new ByteArrayInputStream(frames) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
              return super.read(b, off, Math.min(len, 1));
            }
          };
      assertArrayEquals(frames, filter(trickle).readAllBytes());
    }

    @Test
    void packetsAcrossThePahoSocketsReadTimeouts() throws IOException {
      byte[] first = publish(1, 9, ascii(TOPIC), BODY);
      byte[] frames = concat(first, PINGRESP);
      InboundFilter filter = filter(new TimingOut(frames, 1, 6, first.length - 2));
      assertThrows(SocketTimeoutException.class, filter::read, "between packets: Paho's to see");
      byte[] out = new byte[frames.length];
      int read = 0;
      while (read < out.length) {
        read += filter.read(out, read, out.length - read);
      }
      assertArrayEquals(frames, out, "inside a packet: waited on, nothing lost");
      assertEquals(List.of(), rejected);
    }

    @Test
    void aRetainedDuplicateKeepsItsFlagsAndAnEmptyTopicPassesToTheHandler() throws IOException {
      byte[] retainedDuplicate = publish(1, 4, ascii(TOPIC), BODY);
      retainedDuplicate[0] |= 0x09;
      byte[] emptyTopic = publish(0, 0, new byte[0], BODY);
      assertArrayEquals(
          concat(retainedDuplicate, emptyTopic), through(retainedDuplicate, emptyTopic));
    }

    @Test
    void aRemainingLengthOfFourBytes() throws Exception {
      InboundFilter large =
          new InboundFilter(
              new ByteArrayInputStream(publish(1, 3, ascii(TOPIC), new byte[3_000_000])),
              4_000_000,
              (reason, topic, detail) -> rejected.add(reason.label()));
      MqttWireMessage decoded = MqttWireMessage.createWireMessage(large.readAllBytes());
      assertEquals(3_000_000, ((MqttPublish) decoded).getMessage().getPayload().length);
    }
  }

  @Nested
  class RewrittenAsDiscarded {
    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(
        strings = {
          "NUL \u0000",
          "TAB \t",
          "LF \n",
          "DEL \u007F",
          "NEL \u0085",
          "fullwidth comma \uFF0C",
          "BOM \uFEFF",
          "replacement \uFFFD",
          "noncharacter \uFFFE",
          "supplementary \uD83D\uDE00",
          "e-acute \u00E9",
        })
    void topicsPahoCannotTake(String character) throws Exception {
      String bad = character.substring(character.indexOf(' ') + 1);
      byte[] topic =
          TOPIC.replace("2CF7F1C04430065C", "2CF7F1C0" + bad).getBytes(StandardCharsets.UTF_8);
      assertDiscarded(topic, DropReason.INVALID_TOPIC);
    }

    @Test
    void invalidUtf8AndALoneSurrogate() throws Exception {
      for (byte[] bad :
          new byte[][] {
            {(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}
          }) {
        rejected.clear();
        assertDiscarded(concat(ascii("/device_sensor_data/1/"), bad), DropReason.INVALID_TOPIC);
      }
    }

    @Test
    void topicsStartingWithDollarAmongThemTheDiscardedTopicItself() throws Exception {
      assertDiscarded(ascii("$SYS/broker/uptime"), DropReason.INVALID_TOPIC);
      rejected.clear();
      assertDiscarded(ascii(InboundFilter.DISCARDED_TOPIC), DropReason.INVALID_TOPIC);
    }

    @Test
    void aPayloadOverTheLimit() throws Exception {
      assertDiscarded(ascii(TOPIC), new byte[MAX_PAYLOAD + 1], DropReason.PAYLOAD_TOO_LARGE);
    }

    @Test
    void aPayloadOfTwoHundredMegabytesIsSkippedAsItArrivesNeverHeld() throws IOException {
      int size = 200_000_000;
      byte[] header = concat(new byte[] {0x32}, remainingLength(2 + TOPIC.length() + 2 + size));
      InputStream broker =
          new SequenceInputStream(
              Collections.enumeration(
                  List.of(
                      new ByteArrayInputStream(
                          concat(header, shortBytes(TOPIC.length()), ascii(TOPIC), shortBytes(5))),
                      new Zeros(size),
                      new ByteArrayInputStream(PINGRESP))));
      long allocatedBefore = allocatedByThisThread();
      byte[] out = filter(broker).readAllBytes();
      long allocated = allocatedByThisThread() - allocatedBefore;
      assertArrayEquals(concat(discarded(1, 5), PINGRESP), out);
      assertEquals(List.of("payload_too_large " + TOPIC), rejected);
      assertTrue(allocated < 10_000_000, "allocated " + allocated + " bytes");
    }

    private void assertDiscarded(byte[] topic, DropReason reason) throws Exception {
      assertDiscarded(topic, BODY, reason);
    }

    private void assertDiscarded(byte[] topic, byte[] payload, DropReason reason) throws Exception {
      byte[] bad = publish(1, 77, topic, payload);
      byte[] good = publish(1, 78, ascii(TOPIC), BODY);
      byte[] out = through(bad, good);
      assertArrayEquals(concat(discarded(1, 77), good), out);
      assertEquals(1, rejected.size(), rejected.toString());
      assertTrue(rejected.get(0).startsWith(reason.label() + " "), rejected.toString());
      assertTrue(
          rejected.get(0).chars().allMatch(c -> c >= 0x20 && c <= 0x7E),
          "the logged topic is printable: " + rejected.get(0));
      MqttPublish decoded =
          (MqttPublish)
              MqttWireMessage.createWireMessage(Arrays.copyOf(out, out.length - good.length));
      assertEquals(InboundFilter.DISCARDED_TOPIC, decoded.getTopicName());
      assertEquals(77, decoded.getMessageId());
    }
  }

  @Nested
  class Refused {
    @Test
    void aQos2PublishIsCountedAndEndsTheConnection() {
      InboundFilter filter = filter(new ByteArrayInputStream(publish(2, 5, ascii(TOPIC), BODY)));
      IOException e = assertThrows(IOException.class, filter::read);
      assertTrue(e.getMessage().contains("QoS 2"), e.getMessage());
      assertEquals(List.of("protocol_error "), rejected);
    }

    @Test
    void aPublishWithQos3OrATopicLongerThanItsPacket() {
      byte[] qos3 = publish(1, 5, ascii(TOPIC), BODY);
      qos3[0] = 0x36;
      byte[] overlong = {0x30, 4, 0, 9, 'a', 'b'};
      for (byte[] frame : new byte[][] {qos3, overlong}) {
        rejected.clear();
        assertThrows(IOException.class, () -> through(frame));
        assertEquals(List.of("protocol_error "), rejected);
      }
    }

    @Test
    void aRemainingLengthOfMoreThanFourBytes() {
      byte[] frame = {0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01};
      assertThrows(IOException.class, () -> through(frame));
    }

    @Test
    void aControlPacketLargerThanAnyTheBrokerSends() {
      byte[] header = concat(new byte[] {(byte) 0x90}, remainingLength(200_000_000));
      IOException e = assertThrows(IOException.class, () -> through(header));
      assertTrue(e.getMessage().contains("200000000"), e.getMessage());
    }

    @Test
    void theStreamEndingInsideAPacket() {
      byte[] whole = publish(1, 5, ascii(TOPIC), BODY);
      byte[] cut = Arrays.copyOf(whole, whole.length - 3);
      assertThrows(EOFException.class, () -> through(cut));
    }

    @Test
    void theStreamEndingBetweenPacketsIsItsEnd() throws IOException {
      InboundFilter filter = filter(new ByteArrayInputStream(PINGRESP));
      assertArrayEquals(PINGRESP, filter.readNBytes(2));
      assertEquals(-1, filter.read());
    }
  }

  static byte[] publish(int qos, int packetId, byte[] topic, byte[] payload) {
    int remaining = 2 + topic.length + (qos > 0 ? 2 : 0) + payload.length;
    return concat(
        new byte[] {(byte) (0x30 | qos << 1)},
        remainingLength(remaining),
        shortBytes(topic.length),
        topic,
        qos > 0 ? shortBytes(packetId) : new byte[0],
        payload);
  }

  private static byte[] discarded(int qos, int packetId) {
    return publish(qos, packetId, ascii(InboundFilter.DISCARDED_TOPIC), new byte[0]);
  }

  private static byte[] remainingLength(int value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    do {
      int digit = value % 128;
      value /= 128;
      out.write(value > 0 ? digit | 0x80 : digit);
    } while (value > 0);
    return out.toByteArray();
  }

  private static byte[] shortBytes(int value) {
    return new byte[] {(byte) (value >> 8), (byte) value};
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static long allocatedByThisThread() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  /** Bytes that time out, as Paho's sockets do every second, before the given offsets. */
  private static final class TimingOut extends InputStream {
    private final byte[] bytes;
    private final List<Integer> timeouts = new ArrayList<>();
    private int position;

    TimingOut(byte[] bytes, Integer... beforeOffsets) {
      this.bytes = bytes;
      timeouts.add(0);
      timeouts.addAll(List.of(beforeOffsets));
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (timeouts.remove(Integer.valueOf(position))) {
        throw new SocketTimeoutException("Read timed out");
      }
      if (position == bytes.length) {
        return -1;
      }
      int next = bytes.length;
      for (int at : timeouts) {
        if (at > position) {
          next = Math.min(next, at);
        }
      }
      int count = Math.min(len, next - position);
      System.arraycopy(bytes, position, b, off, count);
      position += count;
      return count;
    }
  }

  /** A stream of zero bytes made as they are read. */
  private static final class Zeros extends InputStream {
    private long left;

    Zeros(long count) {
      this.left = count;
    }

    @Override
    public int read() {
      if (left == 0) {
        return -1;
      }
      left--;
      return 0;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left == 0) {
        return -1;
      }
      int count = (int) Math.min(len, left);
      Arrays.fill(b, off, off + count, (byte) 0);
      left -= count;
      return count;
    }
  }
}
