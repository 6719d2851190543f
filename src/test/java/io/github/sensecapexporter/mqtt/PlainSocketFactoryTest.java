package io.github.sensecapexporter.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PlainSocketFactoryTest {

  @Test
  void bytesReadAheadReachTheNextReaderOfTheSocket() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new PlainSocketFactory().createSocket()) {
      client.connect(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
      try (Socket peer = server.accept()) {
        OutputStream out = peer.getOutputStream();
        out.write("MQTT".getBytes(StandardCharsets.US_ASCII));
        out.flush();

        InputStream first = client.getInputStream();
        assertEquals('M', first.read());
        InputStream second = client.getInputStream();
        assertSame(first, second);
        assertEquals("QTT", new String(second.readNBytes(3), StandardCharsets.US_ASCII));
      }
    }
  }

  @Test
  void turnsNaglesAlgorithmOffWhetherPahoConnectsTheSocketOrTheFactoryDoes() throws Exception {
    PlainSocketFactory factory = new PlainSocketFactory();
    try (ServerSocket server = new ServerSocket(0, 2, InetAddress.getLoopbackAddress());
        Socket unconnected = factory.createSocket();
        Socket connected =
            factory.createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
      assertTrue(unconnected.getTcpNoDelay());
      unconnected.connect(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
      assertTrue(unconnected.getTcpNoDelay());
      assertTrue(connected.getTcpNoDelay());
    }
  }

  @Test
  void connectsWhenGivenTheAddress() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client =
            new PlainSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        Socket peer = server.accept()) {
      peer.getOutputStream().write(42);
      assertEquals(42, client.getInputStream().read());
    }
  }
}
