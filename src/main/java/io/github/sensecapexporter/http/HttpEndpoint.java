package io.github.sensecapexporter.http;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.github.sensecapexporter.collector.SeriesExposition;
import io.github.sensecapexporter.config.Settings;
import io.prometheus.client.CollectorRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Serves {@code /metrics} (text format, OpenMetrics when asked, gzip when asked), {@code
 * /-/healthy}, {@code /-/ready} and a landing page at {@code /}, over HTTP or HTTPS, with basic
 * auth on all but {@code /-/healthy} when users are configured, within {@link ServerLimits}.
 */
public final class HttpEndpoint implements AutoCloseable {
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

  static {
    // Before any server class can load: they read the limits once, then.
    ServerLimits.apply();
    ServerLimits.checkJdk(Runtime.version());
  }

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
      HttpsServer https = HttpsServer.create(address, ServerLimits.BACKLOG);
      https.setHttpsConfigurator(new ModernTls(http.tls().get()));
      server = https;
    } else {
      server = HttpServer.create(address, ServerLimits.BACKLOG);
    }
    byte[] landing = LANDING_PAGE.formatted(version).getBytes(StandardCharsets.UTF_8);
    HttpHandler readiness =
        exchange -> {
          if (ready.getAsBoolean()) {
            Replies.text(exchange, 200, "Ready\n");
          } else {
            Replies.text(
                exchange, 503, "Not ready: not connected to the MQTT broker or not subscribed.\n");
          }
        };
    Rejections rejections = new Rejections(registry);
    Optional<AuthGate> gate =
        http.basicAuthUsers().isEmpty()
            ? Optional.empty()
            : Optional.of(new AuthGate(new BcryptCredentials(http.basicAuthUsers()), rejections));
    server.createContext(
        "/",
        new Router(
            // Open to all: a liveness probe has no credentials, and the answer tells nothing.
            Map.of("/-/healthy", exchange -> Replies.text(exchange, 200, "OK\n")),
            Map.of(
                "/",
                exchange -> Replies.send(exchange, 200, "text/html; charset=utf-8", landing),
                "/metrics",
                new MetricsHandler(registry, series),
                "/-/ready",
                readiness),
            gate,
            rejections));
    ExecutorService executor = ServerLimits.executor();
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

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
