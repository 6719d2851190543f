package io.github.sensecapexporter.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.sensecapexporter.demo.ApiWire;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * The SenseCAP HTTP API on loopback, answering from a test organisation of {@code
 * src/test/resources/sensecap-api/} in the documented shapes, with HTTP Basic. A test can queue
 * canned answers for a call (a status, a body, a delay) that come before the organisation's.
 */
public final class FakeSenseCapApi implements AutoCloseable {
  public static final String ACCESS_ID = "93B5BF5A4CF3D0A1";
  public static final String ACCESS_KEY =
      "E1A8C0DE5B2A4F3E9D7C6B5A4F3E2D1C0B9A8F7E6D5C4B3A2F1E0D9C8B7A6F5E";

  /** One request as the server saw it; {@code clockMillis} is read from the test's clock. */
  public record Request(String call, Map<String, String> query, String body, long clockMillis) {}

  /** A canned answer. */
  public record Answer(int status, String body, long delayMillis) {
    public static Answer of(int status, String body) {
      return new Answer(status, body, 0);
    }
  }

  private final HttpServer server;
  private final JsonObject organisation;
  private final Clock clock;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Queue<Answer>> canned = new ConcurrentHashMap<>();
  private final ExecutorService executor = Executors.newCachedThreadPool();

  private FakeSenseCapApi(HttpServer server, JsonObject organisation, Clock clock) {
    this.server = server;
    this.organisation = organisation;
    this.clock = clock;
  }

  /** Serves {@code organisationFixture}, e.g. "organisation-120.json", over HTTP. */
  public static FakeSenseCapApi start(String organisationFixture, Clock clock) throws IOException {
    return start(organisationFixture, clock, null);
  }

  /** The same over HTTPS with {@code tls}'s certificate. */
  public static FakeSenseCapApi start(String organisationFixture, Clock clock, SSLContext tls)
      throws IOException {
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    HttpServer server;
    if (tls == null) {
      server = HttpServer.create(address, 0);
    } else {
      HttpsServer https = HttpsServer.create(address, 0);
      https.setHttpsConfigurator(new HttpsConfigurator(tls));
      server = https;
    }
    FakeSenseCapApi api =
        new FakeSenseCapApi(
            server, JsonParser.parseString(fixture(organisationFixture)).getAsJsonObject(), clock);
    server.createContext("/openapi/", api::handle);
    server.setExecutor(api.executor);
    server.start();
    return api;
  }

  /** The text of a fixture file. */
  public static String fixture(String name) {
    try (InputStream in = FakeSenseCapApi.class.getResourceAsStream("/sensecap-api/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public URI url() {
    String scheme = server instanceof HttpsServer ? "https" : "http";
    return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort() + "/openapi/");
  }

  /** Answers the next requests of {@code call} with {@code answers}, in order. */
  public void queue(String call, Answer... answers) {
    canned.computeIfAbsent(call, c -> new ArrayDeque<>()).addAll(List.of(answers));
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public long count(String call) {
    return requests.stream().filter(r -> r.call().equals(call)).count();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String call = exchange.getRequestURI().getPath().substring("/openapi/".length());
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Map<String, String> query = ApiWire.query(exchange.getRequestURI().getRawQuery());
      requests.add(new Request(call, query, body, clock.millis()));
      Answer answer;
      Queue<Answer> queue = canned.get(call);
      synchronized (this) {
        answer = queue == null ? null : queue.poll();
      }
      if (answer == null) {
        answer =
            ApiWire.loggedIn(exchange, ACCESS_ID, ACCESS_KEY)
                ? answer(call, query, body)
                : Answer.of(401, fixture("error-11104.json"));
      }
      if (answer.delayMillis() > 0) {
        try {
          Thread.sleep(answer.delayMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      ApiWire.send(exchange, answer.status(), answer.body());
    } catch (IOException e) {
      // The client gave up (a timeout test): nothing to answer.
    }
  }

  private Answer answer(String call, Map<String, String> query, String body) {
    JsonArray data = new JsonArray();
    switch (call) {
      case "list_groups" -> organisation.getAsJsonArray("groups").forEach(data::add);
      case "list_devices" -> {
        String group = query.getOrDefault("group_uuid", "");
        String kind = query.getOrDefault("device_type", "2").equals("1") ? "gateways" : "nodes";
        for (JsonElement entry : organisation.getAsJsonArray(kind)) {
          JsonObject device = entry.getAsJsonObject();
          // Without a group, every device, whatever its group.
          if (group.isEmpty() || groups(device).contains(group)) {
            data.add(device.get("list"));
          }
        }
      }
      case "view_devices", "view_device_running_status" -> {
        JsonArray euis =
            JsonParser.parseString(body).getAsJsonObject().getAsJsonArray("device_euis");
        if (euis.size() > 50) {
          return Answer.of(200, ApiWire.error("11206", "too many devices").toString());
        }
        Set<String> wanted = new HashSet<>();
        euis.forEach(e -> wanted.add(e.getAsString()));
        String field = call.equals("view_devices") ? "view" : "status";
        for (String kind : List.of("nodes", "gateways")) {
          for (JsonElement entry : organisation.getAsJsonArray(kind)) {
            JsonObject device = entry.getAsJsonObject();
            if (device.has(field)
                && wanted.contains(
                    device.getAsJsonObject("list").get("device_eui").getAsString())) {
              data.add(device.get(field));
            }
          }
        }
      }
      default -> {
        return Answer.of(404, ApiWire.error("404", "no such call").toString());
      }
    }
    return Answer.of(200, ApiWire.success(data).toString());
  }

  /** A device's groups: {@code group_uuid}, or {@code group_uuids} for one in several. */
  private static Set<String> groups(JsonObject device) {
    Set<String> groups = new HashSet<>();
    if (device.has("group_uuids")) {
      device.getAsJsonArray("group_uuids").forEach(uuid -> groups.add(uuid.getAsString()));
    } else {
      groups.add(device.get("group_uuid").getAsString());
    }
    return groups;
  }

  @Override
  public void close() {
    server.stop(0);
    // A slow answer still sleeping ends now.
    executor.shutdownNow();
  }
}
