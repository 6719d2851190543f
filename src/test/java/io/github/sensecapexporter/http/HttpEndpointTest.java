package io.github.sensecapexporter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.collector.MeasurementCatalogue;
import io.github.sensecapexporter.collector.SeriesExposition;
import io.github.sensecapexporter.concurrent.UncaughtExceptions;
import io.github.sensecapexporter.config.Settings;
import io.github.sensecapexporter.fleet.Fleet;
import io.github.sensecapexporter.metrics.ThreadKind;
import io.github.sensecapexporter.parse.Topic;
import io.github.sensecapexporter.store.SeriesKey;
import io.github.sensecapexporter.store.SeriesStore;
import io.github.sensecapexporter.testing.Await;
import io.github.sensecapexporter.testing.Http;
import io.github.sensecapexporter.testing.LogCapture;
import io.github.sensecapexporter.testing.MetricsText;
import io.github.sensecapexporter.testing.RawHttp;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HttpEndpointTest {
  private final CollectorRegistry registry = new CollectorRegistry();
  private final SeriesStore store = new SeriesStore(Clock.systemUTC(), Duration.ofHours(1), 10);
  private final AtomicBoolean ready = new AtomicBoolean();
  private HttpEndpoint endpoint;

  @BeforeEach
  void setUp() throws Exception {
    endpoint =
        HttpEndpoint.start(
            new Settings.Http("127.0.0.1", 0),
            registry,
            new SeriesExposition(store, MeasurementCatalogue.bundled(), () -> Fleet.EMPTY),
            ready::get,
            "1.2.3");
  }

  @AfterEach
  void tearDown() {
    endpoint.close();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + endpoint.port() + path;
  }

  @Nested
  class Metrics {
    @Test
    void escapesQuotesBackslashesAndNewlinesInLabelValues() {
      String hostile = "a\"b\\c\nd";
      store.update(new SeriesKey(Topic.Kind.MEASUREMENT, hostile, "1", "vs", "4097"), 1, 1_000);
      String page = Http.get(url("/metrics")).body();
      assertTrue(page.contains("device_eui=\"a\\\"b\\\\c\\nd\""), page);
      assertEquals(
          1.0,
          MetricsText.value(
              page,
              "sensecap_measurement_value",
              MetricsText.measurement(hostile, "1", "vs", "4097")));
    }

    @Test
    void aScrapeThatFailsPartWayFailsForTheScraperInsteadOfLookingShort() {
      store.update(
          new SeriesKey(Topic.Kind.MEASUREMENT, "2CF7F1C04430065C", "1", "vs", "4097"), 1, 1_000);
      new Collector() {
        @Override
        public List<MetricFamilySamples> collect() {
          throw new IllegalStateException("a broken collector");
        }
      }.register(registry);
      HttpClient client = HttpClient.newHttpClient();
      HttpRequest request = HttpRequest.newBuilder(URI.create(url("/metrics"))).build();
      assertThrows(
          IOException.class, () -> client.send(request, HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void aHandlerThatThrowsIsReportedOnceAsAnUncaughtExceptionOfAnHttpThread() {
      new Collector() {
        @Override
        public List<MetricFamilySamples> collect() {
          throw new IllegalStateException("a broken collector");
        }
      }.register(registry);
      List<String> threads = new CopyOnWriteArrayList<>();
      Consumer<String> listener = threads::add;
      UncaughtExceptions.addListener(listener);
      try (LogCapture logs = new LogCapture(Level.INFO)) {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url("/metrics"))).build();
        assertThrows(
            IOException.class, () -> client.send(request, HttpResponse.BodyHandlers.ofString()));
        Await.until(Duration.ofSeconds(5), "the failure reported", () -> !threads.isEmpty());
        assertEquals(List.of(ThreadKind.HTTP), threads.stream().map(ThreadKind::of).toList());
        assertEquals(
            List.of(
                "SEVERE uncaught exception in thread http:"
                    + " java.lang.IllegalStateException: a broken collector"),
            logs.lines());
      } finally {
        UncaughtExceptions.removeListener(listener);
      }
    }

    @Test
    void leavesOutCreatedSamples() {
      Counter.build().name("some_events_total").help("Events.").register(registry).inc();
      String page = Http.get(url("/metrics")).body();
      assertEquals(1.0, MetricsText.value(page, "some_events_total"));
      assertTrue(!page.contains("_created"), page);
    }
  }

  @Nested
  class Routing {
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
      "POST, /metrics",
      "PUT, /metrics",
      "DELETE, /metrics",
      "PATCH, /",
      "OPTIONS, /metrics",
      "TRACE, /",
      "TRACE, /metrics",
      "CONNECT, /metrics",
      "BREW, /metrics",
      "get, /metrics",
      "POST, /-/healthy",
      "POST, /nowhere",
    })
    void onlyGetAndHeadAreServed(String method, String path) {
      String response = RawHttp.exchange(endpoint.port(), method, path, "Content-Length: 0");
      assertEquals(405, RawHttp.status(response), response);
      assertTrue(response.contains("\r\nAllow: GET, HEAD\r\n"), response);
      assertFalse(response.contains("# TYPE"), response);
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "/metricsXYZ",
          "/metrics/",
          "/metrics/x",
          "/METRICS",
          "/metrics%2F",
          "/-/healthyX",
          "/-/healthy/",
          "/-/ready/x",
          "/index.html",
        })
    void pathsMatchExactly(String path) {
      String response = RawHttp.exchange(endpoint.port(), "GET", path);
      assertEquals(404, RawHttp.status(response), response);
      assertFalse(response.contains("# TYPE"), response);
    }

    @Test
    void rejectionsAreCountedByReason() {
      RawHttp.exchange(endpoint.port(), "POST", "/metrics", "Content-Length: 0");
      RawHttp.exchange(endpoint.port(), "GET", "/metricsXYZ");
      RawHttp.exchange(endpoint.port(), "GET", "/nowhere");
      String page = Http.get(url("/metrics")).body();
      String name = "sensecap_exporter_http_requests_rejected_total";
      assertEquals(1.0, MetricsText.value(page, name, Map.of("reason", "method_not_allowed")));
      assertEquals(2.0, MetricsText.value(page, name, Map.of("reason", "not_found")));
      assertEquals(0.0, MetricsText.value(page, name, Map.of("reason", "unauthorized")));
      assertEquals(0.0, MetricsText.value(page, name, Map.of("reason", "login_busy")));
    }

    @Test
    void headAnswersWithoutABody() {
      String response = RawHttp.exchange(endpoint.port(), "HEAD", "/metrics");
      assertEquals(200, RawHttp.status(response), response);
      assertTrue(response.endsWith("\r\n\r\n"), response);
      assertEquals(200, RawHttp.status(RawHttp.exchange(endpoint.port(), "HEAD", "/-/healthy")));
    }

    @Test
    void aQueryStringDoesNotChangeThePath() {
      assertEquals(200, Http.get(url("/metrics?debug=1")).statusCode());
    }
  }

  @Nested
  class Negotiation {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
        delimiter = '|',
        value = {
          "gzip          | true",
          "gzip;q=0.5    | true",
          "gzip;q=-1     | false",
          "gzip;q=0      | false",
          "gzip;q=2      | false",
        })
    void gzipOnlyWhenTheWeightAcceptsIt(String acceptEncoding, boolean gzip) {
      HttpResponse<byte[]> response =
          Http.getBytes(url("/metrics"), "Accept-Encoding", acceptEncoding);
      assertEquals(200, response.statusCode());
      assertEquals(gzip, response.headers().firstValue("Content-Encoding").isPresent());
      byte[] body = response.body();
      assertEquals(gzip, body.length > 1 && (body[0] & 0xff) == 0x1f && (body[1] & 0xff) == 0x8b);
    }

    @Test
    void openMetricsOnlyWhenItWeighsMoreThanTheTextFormat() {
      String openMetrics = "application/openmetrics-text; version=1.0.0";
      assertTrue(
          Http.get(url("/metrics"), "Accept", openMetrics)
              .headers()
              .firstValue("Content-Type")
              .orElse("")
              .startsWith("application/openmetrics-text"));
      for (String accept :
          new String[] {openMetrics + ";q=0", openMetrics + ";q=0.2, text/plain;q=0.3"}) {
        HttpResponse<String> page = Http.get(url("/metrics"), "Accept", accept);
        assertTrue(
            page.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), accept);
        assertFalse(page.body().contains("# EOF"), accept);
      }
    }
  }

  @Nested
  class Ready {
    @Test
    void followsTheReadinessOfTheSubscription() {
      assertEquals(503, Http.get(url("/-/ready")).statusCode());
      ready.set(true);
      assertEquals(200, Http.get(url("/-/ready")).statusCode());
    }

    @Test
    void healthyDoesNotDependOnTheBroker() {
      assertEquals(200, Http.get(url("/-/healthy")).statusCode());
    }
  }

  @Nested
  class LandingPage {
    @Test
    void namesTheVersionAndLinksEveryEndpoint() {
      HttpResponse<String> page = Http.get(url("/"));
      assertEquals(200, page.statusCode());
      assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
      for (String link :
          new String[] {"href=\"metrics\"", "href=\"-/healthy\"", "href=\"-/ready\"", "1.2.3"}) {
        assertTrue(page.body().contains(link), link);
      }
    }
  }
}
