package io.github.sensecapexporter.api;

import com.google.gson.JsonElement;
import io.github.sensecapexporter.concurrent.Backoff;
import io.github.sensecapexporter.config.ApiSettings;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

/**
 * Sends one call at a time to the SenseCAP HTTP API and returns its data. Never more than one
 * request a second, as Seeed's own SDK limits itself; an HTTP 429 or 5xx is retried after a
 * growing, capped wait. Every request and failure is counted by call. The access key is sent only
 * in the Authorization header and appears in no message.
 */
final class ApiClient {
  /** Waits for a duration; the tests' version moves a clock instead. */
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  static final Duration MIN_REQUEST_SPACING = Duration.ofSeconds(1);

  /** Retries of one request after 429 or 5xx before the poll gives up until the next refresh. */
  static final int MAX_RETRIES = 3;

  private static final Duration RETRY_INITIAL = Duration.ofSeconds(2);
  private static final Duration RETRY_CAP = Duration.ofSeconds(60);

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
  private final Clock clock;
  private final Sleeper sleeper;
  private final Backoff backoff = new Backoff(RETRY_INITIAL, RETRY_CAP, new Random());
  private long nextRequestMillis = Long.MIN_VALUE;

  ApiClient(
      ApiSettings.Connection connection,
      Duration timeout,
      Executor executor,
      ApiMetrics metrics,
      Clock clock,
      Sleeper sleeper) {
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .executor(executor)
            .followRedirects(HttpClient.Redirect.NEVER);
    connection.tls().ifPresent(builder::sslContext);
    this.http = builder.build();
    this.base = connection.url();
    this.authorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    (connection.accessId() + ":" + connection.accessKey().reveal())
                        .getBytes(StandardCharsets.UTF_8));
    this.timeout = timeout;
    this.metrics = metrics;
    this.clock = clock;
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
        builder
            .timeout(timeout)
            .header("Authorization", authorization)
            .header("Accept", "application/json")
            .build();
    for (int attempt = 0; ; attempt++) {
      pace();
      metrics.request(call);
      HttpResponse<String> response;
      try {
        response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (HttpTimeoutException e) {
        throw failure(call, "timeout", "no answer within " + timeout.toMillis() + " ms");
      } catch (IOException e) {
        // The class only: a message could quote what the connection failed on.
        throw failure(call, "connection", e.getClass().getSimpleName());
      }
      int status = response.statusCode();
      boolean retryable = status == 429 || status >= 500;
      if (retryable && attempt < MAX_RETRIES) {
        metrics.error(call, Integer.toString(status));
        sleeper.sleep(Duration.ofMillis(backoff.delayMillis(attempt + 1)));
        continue;
      }
      try {
        // An error status may still carry the API's envelope, whose code says more.
        JsonElement data = ApiResponses.data(response.body());
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

  private Failure failure(Call call, String code, String message) {
    metrics.error(call, code);
    return new Failure(call, code, message);
  }

  /** Waits until a second has passed since the previous request. */
  private void pace() throws InterruptedException {
    long now = clock.millis();
    if (nextRequestMillis != Long.MIN_VALUE && now < nextRequestMillis) {
      sleeper.sleep(Duration.ofMillis(nextRequestMillis - now));
      now = clock.millis();
    }
    nextRequestMillis = now + MIN_REQUEST_SPACING.toMillis();
  }
}
