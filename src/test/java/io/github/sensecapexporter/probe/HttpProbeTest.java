package io.github.sensecapexporter.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.github.sensecapexporter.testing.SystemTools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The healthcheck's probe against real loopback servers, well and badly behaved. */
class HttpProbeTest {
  /** The probe's bound plus room for a loaded machine to schedule it. */
  private static final Duration BOUND = HttpProbe.TIMEOUT.plusSeconds(1);

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final List<AutoCloseable> servers = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable server : servers) {
      server.close();
    }
  }

  private int probe(String url) {
    return HttpProbe.run(url, new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** A JDK server answering every path with {@code status}. */
  private String serving(int status) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = "answer\n".getBytes(StandardCharsets.UTF_8);
          if (status / 100 == 3) {
            exchange.getResponseHeaders().set("Location", "/elsewhere");
          }
          exchange.sendResponseHeaders(status, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    servers.add(() -> server.stop(0));
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/-/ready";
  }

  @ParameterizedTest
  @ValueSource(ints = {200, 204})
  void aTwoHundredAnswerIsHealthyAndSilent(int status) throws Exception {
    assertEquals(0, probe(serving(status)));
    assertEquals("", err());
  }

  @ParameterizedTest
  @ValueSource(ints = {503, 404, 302, 500})
  void anyOtherAnswerIsUnhealthyInOneLineNamingIt(int status) throws Exception {
    String url = serving(status);
    assertEquals(1, probe(url));
    assertEquals(List.of("sensecap-exporter: probe: " + url + " answered " + status), lines());
  }

  @Test
  void aPortNobodyListensOnIsUnhealthyAtOnce() throws Exception {
    String url = "http://127.0.0.1:" + SystemTools.freePort() + "/-/healthy";
    long start = System.nanoTime();
    assertEquals(1, probe(url));
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(BOUND) < 0);
    assertEquals(1, lines().size(), err());
    assertTrue(err().contains(url + ": java.net.ConnectException"), err());
  }

  /** A server that accepts the connection and never says a word. */
  @Test
  void aServerThatNeverAnswersIsUnhealthyWithinTheBound() throws Exception {
    ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    servers.add(silent);
    assertUnhealthyWithinTheBound("http://127.0.0.1:" + silent.getLocalPort() + "/-/ready");
  }

  /**
   * A server that sends its answer a byte every half second: each read is within the read timeout,
   * the whole is not.
   */
  @Test
  void aServerThatTricklesItsAnswerIsUnhealthyWithinTheBound() throws Exception {
    ServerSocket trickling = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    servers.add(trickling);
    Thread sender =
        new Thread(
            () -> {
              try (Socket socket = trickling.accept()) {
                for (byte b : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes()) {
                  socket.getOutputStream().write(b);
                  socket.getOutputStream().flush();
                  Thread.sleep(500);
                }
              } catch (IOException | InterruptedException closed) {
                // The test is over.
              }
            });
    sender.setDaemon(true);
    sender.start();
    assertUnhealthyWithinTheBound("http://127.0.0.1:" + trickling.getLocalPort() + "/-/ready");
  }

  private void assertUnhealthyWithinTheBound(String url) {
    long start = System.nanoTime();
    assertEquals(1, probe(url));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(took.compareTo(BOUND) < 0, "took " + took);
    assertTrue(took.compareTo(HttpProbe.TIMEOUT) >= 0, "took only " + took + ": " + err());
    assertEquals(
        List.of("sensecap-exporter: probe: " + url + ": no answer within 2 s"), lines(), err());
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost:9816/-/healthy", "ftp://127.0.0.1/", "http://", "http://a b/"})
  void whatIsNotAnHttpUrlIsUnhealthyInOneLine(String url) {
    assertEquals(1, probe(url));
    assertEquals(1, lines().size(), err());
  }

  @Test
  void aPasswordInTheUrlIsRefusedAndNotPrinted() throws Exception {
    String url = serving(200).replace("//", "//admin:s3cret@");
    assertEquals(1, probe(url));
    assertEquals(
        List.of("sensecap-exporter: probe: user info in the URL is not supported"), lines());
  }

  private List<String> lines() {
    return err().lines().toList();
  }
}
