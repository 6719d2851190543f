package io.github.sensecapexporter.probe;

import java.io.IOException;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code --probe URL}: one GET, healthy on a 2xx answer, for a container's healthcheck that depends
 * on nothing the base image ships (a distroless or Alpine base has no curl) and sends no
 * credentials. {@link HttpURLConnection}, not {@code java.net.http.HttpClient}: the latter's
 * threads and classes make each probe markedly slower (README.md, "Healthchecks", has the figures).
 */
public final class HttpProbe {
  /** Docker's healthcheck exit codes: 0 healthy, 1 unhealthy (2 is reserved). */
  public static final int HEALTHY = 0;

  public static final int UNHEALTHY = 1;

  /** For connecting, for each read, and for the whole exchange: a probe waits no longer. */
  static final Duration TIMEOUT = Duration.ofSeconds(2);

  private HttpProbe() {}

  /** Probes {@code url}; prints one line on {@code err} unless healthy. */
  public static int run(String url, PrintStream err) {
    String problem = problem(url);
    if (problem == null) {
      return HEALTHY;
    }
    err.println("sensecap-exporter: probe: " + problem);
    return UNHEALTHY;
  }

  /** Null when {@code url} answered 2xx within {@link #TIMEOUT}, else what went wrong. */
  private static String problem(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return "not a URL: " + e.getReason();
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null) {
      return "not an http:// or https:// URL with a host";
    }
    if (uri.getRawUserInfo() != null) {
      // It would be a password, and the line below names the URL; /-/healthy needs no login.
      return "user info in the URL is not supported";
    }
    // The connection's own timeouts bound each step; a server that trickles its answer a byte at a
    // time would pass them all, so the whole exchange runs in a thread given TIMEOUT in all.
    FutureTask<Integer> exchange = new FutureTask<>(() -> status(uri));
    Thread thread = new Thread(exchange, "probe");
    thread.setDaemon(true);
    thread.start();
    try {
      int status = exchange.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return status / 100 == 2 ? null : uri + " answered " + status;
    } catch (TimeoutException e) {
      exchange.cancel(true);
      return uri + ": no answer within " + TIMEOUT.toSeconds() + " s";
    } catch (ExecutionException e) {
      return uri + ": " + e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return uri + ": interrupted";
    }
  }

  private static int status(URI uri) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
    connection.setConnectTimeout((int) TIMEOUT.toMillis());
    connection.setReadTimeout((int) TIMEOUT.toMillis());
    // A redirect is an answer, not health: /-/healthy never redirects.
    connection.setInstanceFollowRedirects(false);
    connection.setUseCaches(false);
    try {
      return connection.getResponseCode();
    } finally {
      connection.disconnect();
    }
  }
}
