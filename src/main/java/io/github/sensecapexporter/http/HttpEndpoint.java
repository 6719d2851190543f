package io.github.sensecapexporter.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.sensecapexporter.concurrent.DaemonThreads;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * Serves {@code /metrics} (text format, OpenMetrics when asked, gzip when asked), {@code
 * /-/healthy}, {@code /-/ready} and a landing page at {@code /}.
 */
public final class HttpEndpoint implements AutoCloseable {
  private static final int THREADS = 4;
  private static final String LANDING_PAGE =
      """
      <!DOCTYPE html>
      <html>
      <head><meta charset="utf-8"><title>SenseCAP Exporter</title></head>
      <body>
      <h1>SenseCAP Exporter</h1>
      <p>Prometheus exporter for SenseCAP OpenStream, version %s.</p>
      <ul>
      <li><a href="metrics">Metrics</a></li>
      <li><a href="-/healthy">Health</a></li>
      <li><a href="-/ready">Readiness</a> (connected to the broker and subscribed)</li>
      </ul>
      </body>
      </html>
      """;

  private final HttpServer server;
  private final ExecutorService executor;

  private HttpEndpoint(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  public static HttpEndpoint start(
      String host, int port, CollectorRegistry registry, BooleanSupplier ready, String version)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    // _created samples would double every counter on the page for a value no dashboard uses.
    HTTPServer.HTTPMetricHandler metrics =
        new HTTPServer.HTTPMetricHandler(registry, () -> name -> !name.endsWith("_created"));
    byte[] landing = LANDING_PAGE.formatted(version).getBytes(StandardCharsets.UTF_8);
    server.createContext(
        "/",
        exchange -> {
          if (exchange.getRequestURI().getPath().equals("/")) {
            respond(exchange, 200, "text/html; charset=utf-8", landing);
          } else {
            respond(exchange, 404, "text/plain; charset=utf-8", bytes("Not found.\n"));
          }
        });
    server.createContext("/metrics", metrics);
    server.createContext(
        "/-/healthy",
        exchange -> respond(exchange, 200, "text/plain; charset=utf-8", bytes("OK\n")));
    server.createContext(
        "/-/ready",
        exchange -> {
          if (ready.getAsBoolean()) {
            respond(exchange, 200, "text/plain; charset=utf-8", bytes("Ready\n"));
          } else {
            respond(
                exchange,
                503,
                "text/plain; charset=utf-8",
                bytes("Not ready: not connected to the MQTT broker or not subscribed.\n"));
          }
        });
    ExecutorService executor = Executors.newFixedThreadPool(THREADS, DaemonThreads.named("http"));
    server.setExecutor(executor);
    server.start();
    return new HttpEndpoint(server, executor);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void respond(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    try (exchange) {
      exchange.getResponseHeaders().set("Content-Type", type);
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(status, head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
