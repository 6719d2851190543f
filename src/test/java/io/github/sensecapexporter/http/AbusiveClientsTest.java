package io.github.sensecapexporter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.collector.MeasurementCatalogue;
import io.github.sensecapexporter.collector.SeriesExposition;
import io.github.sensecapexporter.config.Secret;
import io.github.sensecapexporter.config.Settings;
import io.github.sensecapexporter.fleet.Fleet;
import io.github.sensecapexporter.store.SeriesStore;
import io.github.sensecapexporter.testing.RawHttp;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * Clients that hold connections on purpose, on real sockets: each test fails on a server that gives
 * such clients its threads for as long as they like. The bounds are generous; how fast the others
 * are served is measured by bench/http-abuse (RELIABILITY.md).
 */
class AbusiveClientsTest {
  private static final String USER = "prometheus";
  private static final String PASSWORD = "Scrape-Pa55word-41c7";

  private final CollectorRegistry registry = new CollectorRegistry();
  private final List<Socket> sockets = new ArrayList<>();
  private HttpEndpoint endpoint;

  private void start(Map<String, Secret> users) throws IOException {
    endpoint =
        HttpEndpoint.start(
            new Settings.Http("127.0.0.1", 0, Optional.empty(), users),
            registry,
            new SeriesExposition(
                new SeriesStore(Clock.systemUTC(), Duration.ofHours(1), 10),
                MeasurementCatalogue.bundled(),
                () -> Fleet.EMPTY),
            () -> true,
            "1.2.3");
  }

  @AfterEach
  void close() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
    if (endpoint != null) {
      endpoint.close();
    }
  }

  private Socket open() throws IOException {
    Socket socket = RawHttp.connect(endpoint.port());
    sockets.add(socket);
    return socket;
  }

  /** A fresh client's GET, which must be answered within 5 s. */
  private int status(String path, String... headers) throws Exception {
    ExecutorService client = Executors.newSingleThreadExecutor();
    try {
      Future<String> response =
          client.submit(() -> RawHttp.exchange(endpoint.port(), "GET", path, headers));
      return RawHttp.status(response.get(5, TimeUnit.SECONDS));
    } finally {
      client.shutdownNow();
    }
  }

  @Test
  void aClientThatTricklesItsHeadersIsCutOffAtTheRequestTimeLimit() throws Exception {
    start(Map.of());
    Socket trickler = open();
    OutputStream out = trickler.getOutputStream();
    out.write(
        "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.UTF_8));
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer =
        new Thread(
            () -> {
              try {
                while (!stop.get()) {
                  out.write('a');
                  out.flush();
                  Thread.sleep(500);
                }
              } catch (IOException | InterruptedException e) {
                // closed by the server, or by the test
              }
            });
    writer.start();
    try {
      long millis = RawHttp.millisUntilClosed(trickler, 30_000);
      // The limit is counted from the first byte, checked once a second.
      assertTrue(
          millis >= (ServerLimits.REQUEST_SECONDS - 1) * 1000L
              && millis <= (ServerLimits.REQUEST_SECONDS + 5) * 1000L,
          "closed after " + millis + " ms");
    } finally {
      stop.set(true);
      writer.join();
    }
  }

  @Test
  void healthyAndMetricsAnswerWhile256ClientsStallTheirHeaders() throws Exception {
    start(Map.of());
    for (int i = 0; i < 256; i++) {
      open()
          .getOutputStream()
          .write("GET /metrics HTTP/1.1\r\nHo".getBytes(StandardCharsets.UTF_8));
    }
    assertEquals(200, status("/-/healthy"));
    assertEquals(200, status("/metrics"));
  }

  @Test
  void aConnectionBeyondTheCapIsClosedAtOnceInsteadOfWaitingForEver() throws Exception {
    start(Map.of());
    for (int i = 0; i < ServerLimits.MAX_CONNECTIONS; i++) {
      open();
    }
    // Accepted in the order they connected: this one is past the cap.
    assertTrue(RawHttp.millisUntilClosed(open(), 5_000) < 5_000);
    // Not a server that closes every connection: once a slot frees, a new client is served.
    sockets.remove(0).close();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    int status = 0;
    while (status != 200 && System.nanoTime() < deadline) {
      try {
        status = RawHttp.status(RawHttp.exchange(endpoint.port(), "GET", "/-/healthy"));
      } catch (RuntimeException e) {
        // closed before the server saw the slot free: try again
        Thread.sleep(50);
      }
    }
    assertEquals(200, status);
  }

  @Test
  void healthyAndMetricsAnswerWhile8ClientsReadABigPageSlowly() throws Exception {
    start(Map.of());
    // Some 5 MB, more than the loopback socket buffers hold, so the writes to a reader that does
    // not read block.
    new Collector() {
      @Override
      public List<MetricFamilySamples> collect() {
        List<MetricFamilySamples.Sample> samples = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
          samples.add(
              new MetricFamilySamples.Sample(
                  "padding", List.of("i"), List.of(Integer.toString(i)), i));
        }
        return List.of(new MetricFamilySamples("padding", Type.GAUGE, "Padding.", samples));
      }
    }.register(registry);
    for (int i = 0; i < 8; i++) {
      Socket reader = new Socket();
      sockets.add(reader);
      reader.setReceiveBufferSize(4096);
      reader.connect(new InetSocketAddress("127.0.0.1", endpoint.port()), 5_000);
      reader
          .getOutputStream()
          .write(
              "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.UTF_8));
      // Some of the page arrives, then the reader stops reading.
      reader.setSoTimeout(5_000);
      assertTrue(reader.getInputStream().read(new byte[1024]) > 0);
    }
    assertEquals(200, status("/-/healthy"));
    assertEquals(200, status("/-/ready"));
  }

  @Test
  void aFloodOfWrongPasswordsIsRefusedWith429AndNeitherALoginSeenBeforeNorHealthyWaits()
      throws Exception {
    // Cost 10, as htpasswd -nbBC 10 makes (what a check costs: RELIABILITY.md, HTTP clients that
    // misbehave).
    start(Map.of(USER, new Secret(BCrypt.hashpw(PASSWORD, BCrypt.gensalt(10)))));
    String good = basic(USER, PASSWORD);
    assertEquals(200, status("/metrics", good));
    AtomicBoolean flooding = new AtomicBoolean(true);
    AtomicInteger busy = new AtomicInteger();
    AtomicInteger wrong = new AtomicInteger();
    ExecutorService attackers = Executors.newFixedThreadPool(64);
    try {
      for (int a = 0; a < 64; a++) {
        int attacker = a;
        attackers.submit(
            () -> {
              for (int i = 0; flooding.get(); i++) {
                String response =
                    RawHttp.exchange(
                        endpoint.port(),
                        "GET",
                        "/metrics",
                        basic(USER, "guess-" + attacker + "-" + i));
                (RawHttp.status(response) == 429 ? busy : wrong).incrementAndGet();
              }
              return null;
            });
      }
      Thread.sleep(500);
      for (int i = 0; i < 5; i++) {
        assertEquals(200, status("/metrics", good));
        assertEquals(200, status("/-/healthy"));
      }
    } finally {
      flooding.set(false);
      attackers.shutdown();
      assertTrue(attackers.awaitTermination(30, TimeUnit.SECONDS));
    }
    assertTrue(busy.get() > 0, busy + " answered 429, " + wrong + " 401");
    assertTrue(wrong.get() > 0, busy + " answered 429, " + wrong + " 401");
  }

  private static String basic(String user, String password) {
    return "Authorization: Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
