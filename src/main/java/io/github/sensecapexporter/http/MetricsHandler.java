package io.github.sensecapexporter.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.github.sensecapexporter.collector.SeriesExposition;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * {@code /metrics}: the series, then the registry's own metrics (the exporter's and the JVM's), in
 * the format the scraper asks for, gzipped when it accepts that. The body is streamed in chunks as
 * it is written: its size is never held in memory.
 */
final class MetricsHandler implements HttpHandler {
  private static final Logger LOG = Logger.getLogger(MetricsHandler.class.getName());

  private final CollectorRegistry registry;
  private final SeriesExposition series;

  MetricsHandler(CollectorRegistry registry, SeriesExposition series) {
    this.registry = registry;
    this.series = series;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String contentType = ContentNegotiation.contentType(exchange.getRequestHeaders().get("Accept"));
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean gzip = ContentNegotiation.gzip(exchange.getRequestHeaders().get("Accept-Encoding"));
    if (gzip) {
      exchange.getResponseHeaders().set("Content-Encoding", "gzip");
    }
    // Caches must keep the two formats and encodings apart.
    exchange.getResponseHeaders().set("Vary", "Accept, Accept-Encoding");
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
      out.close();
      exchange.close();
    } catch (IOException e) {
      // A scraper that went away or timed out: not a fault of the exporter. A runtime exception
      // goes on to the router, which reports it. Either way the status line is gone already, and
      // the response, left unfinished, ends with the connection dropped: the scraper records a
      // failed scrape rather than a short page.
      LOG.log(Level.FINE, "scrape failed: " + e, e);
      throw e;
    } finally {
      if (out instanceof FastGzipStream stream) {
        // Closing would finish the page; ended unfinished, the deflater frees its native memory
        // now rather than when the collector gets to it. Once closed, this does nothing.
        stream.end();
      }
    }
  }

  /**
   * Gzip at the fastest level: a few more bytes than the default level for much less time, and the
   * time of a scrape is the cost that recurs (PERFORMANCE.md, Scrape).
   */
  private static final class FastGzipStream extends GZIPOutputStream {
    FastGzipStream(OutputStream out) throws IOException {
      super(out, 64 * 1024);
      def.setLevel(Deflater.BEST_SPEED);
    }

    void end() {
      def.end();
    }
  }
}
