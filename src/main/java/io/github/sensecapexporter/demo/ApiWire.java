package io.github.sensecapexporter.demo;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The server's side of the SenseCAP HTTP API's wire, for an API served on loopback (the demo's, and
 * the tests' loopback API): its query strings, its HTTP Basic login, its envelope. Written apart
 * from the exporter's client on purpose, so that a server built on it checks the client rather than
 * sharing its mistakes.
 */
public final class ApiWire {
  private ApiWire() {}

  /** The query parameters of a raw query string, decoded; a name without a value has "". */
  public static Map<String, String> query(String raw) {
    Map<String, String> query = new HashMap<>();
    if (raw != null && !raw.isEmpty()) {
      for (String pair : raw.split("&")) {
        int equals = pair.indexOf('=');
        query.put(
            URLDecoder.decode(
                equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8),
            equals < 0
                ? ""
                : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
      }
    }
    return query;
  }

  /** Whether the request logs in with HTTP Basic as {@code accessId} and {@code accessKey}. */
  public static boolean loggedIn(HttpExchange exchange, String accessId, String accessKey) {
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((accessId + ":" + accessKey).getBytes(StandardCharsets.UTF_8));
    return expected.equals(exchange.getRequestHeaders().getFirst("Authorization"));
  }

  /** {@code {"code":"0","data":[...]}}. */
  public static JsonObject success(JsonArray data) {
    JsonObject envelope = new JsonObject();
    envelope.addProperty("code", "0");
    envelope.add("data", data);
    return envelope;
  }

  /** {@code {"code":"11104","msg":"..."}}. */
  public static JsonObject error(String code, String message) {
    JsonObject envelope = new JsonObject();
    envelope.addProperty("code", code);
    envelope.addProperty("msg", message);
    return envelope;
  }

  /** Sends {@code body} as JSON with {@code status}; an empty body is sent without one. */
  public static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
