package io.github.sensecapexporter.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP GETs against a real server; {@code headers} alternate names and values. */
public final class Http {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Http() {}

  public static HttpResponse<String> get(String url, String... headers) {
    return send(url, HttpResponse.BodyHandlers.ofString(), headers);
  }

  public static HttpResponse<byte[]> getBytes(String url, String... headers) {
    return send(url, HttpResponse.BodyHandlers.ofByteArray(), headers);
  }

  private static <T> HttpResponse<T> send(
      String url, HttpResponse.BodyHandler<T> handler, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      return CLIENT.send(request.build(), handler);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
