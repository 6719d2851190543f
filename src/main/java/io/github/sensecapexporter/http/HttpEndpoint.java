package io.github.sensecapexporter.http;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.github.sensecapexporter.collector.SeriesExposition;
import io.github.sensecapexporter.concurrent.DaemonThreads;
import io.github.sensecapexporter.config.Settings;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Serves {@code /metrics} (text format, OpenMetrics when asked, gzip when asked), {@code
 * /-/healthy}, {@code /-/ready} and a landing page at {@code /}, over HTTP or HTTPS, with basic
 * auth on all but {@code /-/healthy} when users are configured.
 */
public final class HttpEndpoint implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(HttpEndpoint.class.getName());
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

  /**
   * HTTPS when {@code http} has TLS, and basic auth on every path but {@code /-/healthy} when it
   * has users.
   */
  public static HttpEndpoint start(
      Settings.Http http,
      CollectorRegistry registry,
      SeriesExposition series,
      BooleanSupplier ready,
      String version)
      throws IOException {
    InetSocketAddress address = new InetSocketAddress(http.host(), http.port());
    HttpServer server;
    if (http.tls().isPresent()) {
      HttpsServer https = HttpsServer.create(address, 0);
      https.setHttpsConfigurator(new ModernTls(http.tls().get()));
      server = https;
    } else {
      server = HttpServer.create(address, 0);
    }
    Authenticator login =
        http.basicAuthUsers().isEmpty() ? null : new BcryptAuthenticator(http.basicAuthUsers());
    byte[] landing = LANDING_PAGE.formatted(version).getBytes(StandardCharsets.UTF_8);
    HttpContext root =
        server.createContext(
            "/",
            exchange -> {
              if (exchange.getRequestURI().getPath().equals("/")) {
                respond(exchange, 200, "text/html; charset=utf-8", landing);
              } else {
                respond(exchange, 404, "text/plain; charset=utf-8", bytes("Not found.\n"));
              }
            });
    HttpContext metricsContext =
        server.createContext("/metrics", exchange -> serveMetrics(exchange, registry, series));
    // Open to all: a liveness probe has no credentials, and the answer tells nothing.
    server.createContext(
        "/-/healthy",
        exchange -> respond(exchange, 200, "text/plain; charset=utf-8", bytes("OK\n")));
    HttpContext readyContext =
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
    if (login != null) {
      for (HttpContext context : new HttpContext[] {root, metricsContext, readyContext}) {
        context.setAuthenticator(login);
      }
    }
    ExecutorService executor = Executors.newFixedThreadPool(THREADS, DaemonThreads.named("http"));
    server.setExecutor(executor);
    server.start();
    return new HttpEndpoint(server, executor);
  }

  /** TLS 1.2 and 1.3 only, with the JVM's default cipher suites for them. */
  private static final class ModernTls extends HttpsConfigurator {
    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    ModernTls(SSLContext context) {
      super(context);
    }

    @Override
    public void configure(HttpsParameters params) {
      SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
      List<String> supported = List.of(getSSLContext().getSupportedSSLParameters().getProtocols());
      parameters.setProtocols(
          PROTOCOLS.stream().filter(supported::contains).toArray(String[]::new));
      parameters.setNeedClientAuth(false);
      params.setSSLParameters(parameters);
    }
  }

  /**
   * The series, then the registry's own metrics (the exporter's and the JVM's), in the format the
   * scraper asks for, gzipped when it accepts that. The body is streamed in chunks as it is
   * written: its size is never held in memory.
   */
  private static void serveMetrics(
      HttpExchange exchange, CollectorRegistry registry, SeriesExposition series)
      throws IOException {
    String contentType =
        TextFormat.chooseContentType(exchange.getRequestHeaders().getFirst("Accept"));
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean gzip = acceptsGzip(exchange.getRequestHeaders().get("Accept-Encoding"));
    if (gzip) {
      exchange.getResponseHeaders().set("Content-Encoding", "gzip");
    }
    if (exchange.getRequestMethod().equals("HEAD")) {
      try (exchange) {
        exchange.sendResponseHeaders(200, -1);
      }
      return;
    }
    exchange.sendResponseHeaders(200, 0);
    OutputStream out =
        gzip ? new FastGzipStream(exchange.getResponseBody()) : exchange.getResponseBody();
    try {
      series.writeTo(out);
      Writer text = new OutputStreamWriter(out, StandardCharsets.UTF_8);
      // _created samples would double every counter on the page for a value no dashboard uses.
      // OpenMetrics ends with "# EOF", which this writes: the series come first.
      TextFormat.writeFormat(
          contentType,
          text,
          registry.filteredMetricFamilySamples(name -> !name.endsWith("_created")));
      text.flush();
    } catch (IOException | RuntimeException e) {
      // The status line is gone already. Left unfinished, the response ends with the connection
      // dropped, and the scraper records a failed scrape rather than a short page.
      LOG.log(e instanceof IOException ? Level.FINE : Level.WARNING, "scrape failed: " + e, e);
      throw e;
    }
    out.close();
    exchange.close();
  }

  /** Whether Accept-Encoding lists gzip without refusing it ({@code gzip;q=0}). */
  static boolean acceptsGzip(List<String> acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    for (String header : acceptEncoding) {
      for (String coding : header.split(",")) {
        String[] parts = coding.split(";");
        if (parts[0].trim().equalsIgnoreCase("gzip") && !refused(parts)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean refused(String[] codingParts) {
    for (int i = 1; i < codingParts.length; i++) {
      String parameter = codingParts[i].trim().toLowerCase(Locale.ROOT);
      if (parameter.startsWith("q=")) {
        try {
          return Double.parseDouble(parameter.substring(2).trim()) == 0;
        } catch (NumberFormatException e) {
          return false; // a malformed weight is ignored, as if absent
        }
      }
    }
    return false;
  }

  /**
   * Gzip at the fastest level. On a page of 100,000 series (zlib, one core here) level 1 gave 14 %
   * more bytes than the default level 6 in 55 % of its time: the scrape is the cost that recurs.
   */
  private static final class FastGzipStream extends GZIPOutputStream {
    FastGzipStream(OutputStream out) throws IOException {
      super(out, 64 * 1024);
      def.setLevel(Deflater.BEST_SPEED);
    }
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
