package io.github.sensecapexporter.api;

import com.google.gson.JsonElement;
import io.github.sensecapexporter.concurrent.Backoff;
import io.github.sensecapexporter.config.ApiSettings;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Sends one call at a time to the SenseCAP HTTP API and returns its data. Never more than one
 * request a second, as Seeed's own SDK limits itself; an HTTP 429 or 5xx is retried after a
 * growing, capped wait, or the wait its Retry-After asks for, capped the same. The request timeout
 * covers the whole exchange, body included, and a body is read only up to {@link #MAX_BODY_BYTES}.
 * Every request and failure is counted by call. The access key is sent only in the Authorization
 * header and appears in no message.
 */
final class ApiClient {
  /** Waits for a duration; the tests' version moves a clock instead. */
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private static final Duration MIN_REQUEST_SPACING = Duration.ofSeconds(1);

  /** Retries of one request after 429 or 5xx before the poll gives up until the next refresh. */
  private static final int MAX_RETRIES = 3;

  private static final Duration RETRY_INITIAL = Duration.ofSeconds(2);
  private static final Duration RETRY_CAP = Duration.ofSeconds(60);

  /**
   * The largest body read. The largest answer the exporter needs is the Default group's
   * list_devices at {@link ApiPoller}'s cap of devices; a batch answer is far smaller. The limit
   * leaves room for long names and fields the API may add, while the body and its JSON tree stay a
   * small part of the exporter's heap.
   */
  static final int MAX_BODY_BYTES = 4 << 20;

  /** The code of a body larger than {@link #MAX_BODY_BYTES}. */
  static final String TOO_LARGE = "too_large";

  private static final Pattern RETRY_AFTER_SECONDS = Pattern.compile("[0-9]{1,9}");

  /** A failed request: the code is its label on the errors counter. */
  static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;
    private final Call call;
    private final String code;

    Failure(Call call, String code, String message) {
      super(message);
      this.call = call;
      this.code = code;
    }

    Call call() {
      return call;
    }

    String code() {
      return code;
    }
  }

  private final HttpClient http;
  private final URI base;
  private final String authorization;
  private final Duration timeout;
  private final ApiMetrics metrics;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  private final Backoff backoff = new Backoff(RETRY_INITIAL, RETRY_CAP, new Random());
  private boolean requested;
  private long nextRequestNanos;

  /**
   * {@code nanoTime} is a monotonic clock, {@link System#nanoTime} but in tests: the spacing of
   * requests must not follow the wall clock when it is set back or forth.
   */
  ApiClient(
      ApiSettings.Connection connection,
      Duration timeout,
      Executor executor,
      ApiMetrics metrics,
      LongSupplier nanoTime,
      Sleeper sleeper) {
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .executor(executor)
            .followRedirects(HttpClient.Redirect.NEVER);
    connection.tls().ifPresent(builder::sslContext);
    this.http = builder.build();
    this.base = connection.url();
    this.authorization = connection.authorization().reveal();
    this.timeout = timeout;
    this.metrics = metrics;
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
  }

  /** A GET call with {@code query} parameters. */
  JsonElement get(Call call, Map<String, String> query) throws Failure, InterruptedException {
    String encoded =
        query.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    URI uri = base.resolve(call.path() + (encoded.isEmpty() ? "" : "?" + encoded));
    return send(call, HttpRequest.newBuilder(uri).GET());
  }

  /** A POST call with a JSON body. */
  JsonElement post(Call call, String json) throws Failure, InterruptedException {
    return send(
        call,
        HttpRequest.newBuilder(base.resolve(call.path()))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
  }

  private JsonElement send(Call call, HttpRequest.Builder builder)
      throws Failure, InterruptedException {
    HttpRequest request =
        builder.header("Authorization", authorization).header("Accept", "application/json").build();
    for (int attempt = 0; ; attempt++) {
      pace();
      metrics.request(call);
      HttpResponse<byte[]> response = exchange(call, request);
      int status = response.statusCode();
      boolean retryable = status == 429 || status >= 500;
      if (retryable && attempt < MAX_RETRIES) {
        metrics.error(call, Integer.toString(status));
        sleeper.sleep(retryWait(response, attempt + 1));
        continue;
      }
      if (retryable) {
        // Counted as what it is, whatever code its body carries: the platform being busy or down.
        throw failure(call, Integer.toString(status), "HTTP " + status);
      }
      try {
        // An error status may still carry the API's envelope, whose code says more.
        JsonElement data = ApiResponses.data(new String(response.body(), StandardCharsets.UTF_8));
        if (status != 200) {
          throw failure(call, Integer.toString(status), "HTTP " + status);
        }
        return data;
      } catch (ApiResponses.ApiError e) {
        if (status != 200 && e.code().equals(ApiResponses.INVALID_RESPONSE)) {
          throw failure(call, Integer.toString(status), "HTTP " + status);
        }
        throw failure(call, e.code(), e.getMessage());
      }
    }
  }

  /** One request and its whole answer, within the timeout. */
  private HttpResponse<byte[]> exchange(Call call, HttpRequest request)
      throws Failure, InterruptedException {
    // The JDK's own request timeout ends when the headers arrive: a body sent slowly would not
    // be bounded. The future's is, and cancelling it closes the exchange.
    CompletableFuture<HttpResponse<byte[]>> future =
        http.sendAsync(request, CappedBody.handler(MAX_BODY_BYTES));
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw failure(call, "timeout", "no answer within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      future.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      for (Throwable t = cause; t != null; t = t.getCause()) {
        if (t instanceof CappedBody.TooLargeException) {
          throw failure(call, TOO_LARGE, t.getMessage());
        }
      }
      if (cause instanceof HttpTimeoutException) {
        throw failure(call, "timeout", "no connection within " + timeout.toMillis() + " ms");
      }
      // The message says why ("PKIX path building failed"); the log masks what it must.
      throw failure(call, "connection", describe(cause));
    }
  }

  private static String describe(Throwable failure) {
    Throwable described = failure;
    while (described.getMessage() == null && described.getCause() != null) {
      described = described.getCause();
    }
    String message = described.getMessage();
    return described.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** Retry-After in seconds if the answer gives it, else the backoff's; never over the cap. */
  private Duration retryWait(HttpResponse<?> response, int failures) {
    String retryAfter = response.headers().firstValue("Retry-After").orElse("").strip();
    if (RETRY_AFTER_SECONDS.matcher(retryAfter).matches()) {
      long seconds = Math.min(Long.parseLong(retryAfter), RETRY_CAP.toSeconds());
      return Duration.ofSeconds(seconds);
    }
    return Duration.ofMillis(backoff.delayMillis(failures));
  }

  private Failure failure(Call call, String code, String message) {
    metrics.error(call, code);
    return new Failure(call, code, message);
  }

  /** Waits until a second has passed since the previous request, by the monotonic clock. */
  private void pace() throws InterruptedException {
    long now = nanoTime.getAsLong();
    if (requested && now - nextRequestNanos < 0) {
      sleeper.sleep(Duration.ofNanos(nextRequestNanos - now));
      now = nanoTime.getAsLong();
    }
    nextRequestNanos = now + MIN_REQUEST_SPACING.toNanos();
    requested = true;
  }
}
