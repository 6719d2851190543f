package io.github.sensecapexporter.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.sensecapexporter.config.ApiSettings;
import io.github.sensecapexporter.config.Secret;
import io.prometheus.client.CollectorRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One client against a loopback server whose answers each test writes byte by byte. */
class ApiClientTest {
  /**
   * Generous: the assertions are about what happens, this only keeps a broken client from hanging.
   */
  private static final Duration BOUND = Duration.ofSeconds(60);

  private static final byte[] EMPTY_SUCCESS =
      "{\"code\":\"0\",\"data\":[]}".getBytes(StandardCharsets.UTF_8);

  private interface Handler {
    void handle(HttpExchange exchange) throws IOException, InterruptedException;
  }

  private final CollectorRegistry registry = new CollectorRegistry();
  private final ApiMetrics metrics = new ApiMetrics(registry);
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final ExecutorService serverThreads = Executors.newCachedThreadPool();
  private final AtomicLong nanos = new AtomicLong();
  private final List<Duration> sleeps = new ArrayList<>();
  private volatile Handler handler;
  private HttpServer server;

  @BeforeEach
  void setUp() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/openapi/",
        exchange -> {
          try (exchange) {
            handler.handle(exchange);
          } catch (IOException | InterruptedException e) {
            // The client gave up, as it should have.
          }
        });
    server.setExecutor(serverThreads);
    server.start();
  }

  @AfterEach
  void tearDown() {
    server.stop(0);
    serverThreads.shutdownNow();
    threads.shutdownNow();
  }

  private ApiClient client(Duration timeout) {
    URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/openapi/");
    return new ApiClient(
        new ApiSettings.Connection(url, "ID", new Secret("KEY"), Optional.empty()),
        timeout,
        threads,
        metrics,
        nanos::get,
        duration -> {
          sleeps.add(duration);
          nanos.addAndGet(duration.toNanos());
        });
  }

  private double errors(String code) {
    Double value =
        registry.getSampleValue(
            "sensecap_exporter_api_errors_total",
            new String[] {"call", "code"},
            new String[] {"list_groups", code});
    return value == null ? 0 : value;
  }

  private String failureCode(ApiClient client) {
    return assertTimeoutPreemptively(
            BOUND,
            () ->
                assertThrows(ApiClient.Failure.class, () -> client.get(Call.LIST_GROUPS, Map.of())))
        .code();
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    exchange.getResponseBody().write(body);
  }

  @Test
  void aBodyLargerThanTheCapIsRefusedByItsLength() {
    handler =
        exchange -> {
          // Announces 120 MiB and sends it, unless the client hangs up first.
          exchange.sendResponseHeaders(200, 120L << 20);
          byte[] chunk = new byte[1 << 16];
          Arrays.fill(chunk, (byte) ' ');
          OutputStream out = exchange.getResponseBody();
          for (long left = 120L << 20; left > 0; left -= chunk.length) {
            out.write(chunk);
          }
        };
    assertEquals("too_large", failureCode(client(BOUND)));
    assertEquals(1.0, errors("too_large"));
  }

  @Test
  void aBodyWithoutALengthIsReadOnlyUpToTheCap() {
    handler =
        exchange -> {
          // Chunked, and without an end.
          exchange.sendResponseHeaders(200, 0);
          byte[] chunk = new byte[1 << 16];
          Arrays.fill(chunk, (byte) ' ');
          OutputStream out = exchange.getResponseBody();
          while (true) {
            out.write(chunk);
          }
        };
    assertEquals("too_large", failureCode(client(BOUND)));
  }

  @Test
  void aBodyJustUnderTheCapIsRead() throws Exception {
    byte[] body = Arrays.copyOf(EMPTY_SUCCESS, ApiClient.MAX_BODY_BYTES);
    Arrays.fill(body, EMPTY_SUCCESS.length, body.length, (byte) ' ');
    handler = exchange -> send(exchange, 200, body);
    JsonElement data =
        assertTimeoutPreemptively(BOUND, () -> client(BOUND).get(Call.LIST_GROUPS, Map.of()));
    assertTrue(data.isJsonArray());
  }

  @Test
  void theTimeoutCoversABodySentSlowly() {
    handler =
        exchange -> {
          // Headers at once, then a byte every 250 ms: 5 s in all.
          exchange.sendResponseHeaders(200, EMPTY_SUCCESS.length);
          OutputStream out = exchange.getResponseBody();
          for (byte b : EMPTY_SUCCESS) {
            out.write(b);
            out.flush();
            Thread.sleep(250);
          }
        };
    assertEquals("timeout", failureCode(client(Duration.ofMillis(300))));
    assertEquals(1.0, errors("timeout"));
  }

  @Test
  void theSpacingOfRequestsIgnoresTheWallClock() throws Exception {
    handler = exchange -> send(exchange, 200, EMPTY_SUCCESS);
    ApiClient client = client(BOUND);
    client.get(Call.LIST_GROUPS, Map.of());
    // The wall clock may be set back an hour now: the client never reads it.
    client.get(Call.LIST_GROUPS, Map.of());
    nanos.addAndGet(Duration.ofMillis(400).toNanos());
    client.get(Call.LIST_GROUPS, Map.of());
    assertEquals(List.of(Duration.ofSeconds(1), Duration.ofMillis(600)), sleeps);
  }

  @Test
  void retryAfterIsHonouredUpToTheCap() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    handler =
        exchange -> {
          switch (calls.getAndIncrement()) {
            case 0 -> exchange.getResponseHeaders().set("Retry-After", "30");
            case 1 -> exchange.getResponseHeaders().set("Retry-After", "3600");
            default -> {
              send(exchange, 200, EMPTY_SUCCESS);
              return;
            }
          }
          send(exchange, 429, new byte[0]);
        };
    client(BOUND).get(Call.LIST_GROUPS, Map.of());
    assertEquals(List.of(Duration.ofSeconds(30), Duration.ofSeconds(60)), sleeps);
    assertEquals(2.0, errors("429"));
  }

  @Test
  void aLast429IsCountedAsOneWhateverCodeItCarries() {
    handler =
        exchange ->
            send(
                exchange,
                429,
                "{\"code\":\"11104\",\"msg\":\"slow down\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals("429", failureCode(client(BOUND)));
    assertEquals(4.0, errors("429"));
    assertEquals(0.0, errors("11104"));
  }
}
