package io.github.sensecapexporter.demo;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.sensecapexporter.concurrent.DaemonThreads;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A simulated SenseCAP HTTP API on loopback that describes {@link DemoFleet}'s devices in the
 * documented shapes: names, two groups, positions, one device the platform reports offline and a
 * gateway. HTTP Basic with the demo's own credentials, as the real API asks.
 */
public final class DemoApi implements AutoCloseable {
  public static final String ACCESS_ID = "DEMO0000API0ID00";
  public static final String ACCESS_KEY = "demo-access-key";

  /** The device the platform reports offline: the one whose battery is nearly flat. */
  static final String OFFLINE = "2CF7F1C0443007B2";

  static final String GATEWAY = "2CF7F1C04420001A";

  private record Metadata(String name, String group, double latitude, double longitude) {}

  private static final String HQ = "HQ";
  private static final String GARDEN = "Garden";
  private static final Map<String, String> GROUPS =
      Map.of(
          HQ,
          "5E2C0A1B-0001-4C6A-9E7D-000000000001",
          GARDEN,
          "5E2C0A1B-0001-4C6A-9E7D-000000000002");

  /** By EUI; every device of {@link DemoFleet#DEVICES} has one. */
  private static final Map<String, Metadata> METADATA =
      Map.of(
          "2CF7F1C04430065C", new Metadata("Meeting room 3", HQ, 47.3769, 8.5417),
          "2CF7F1C0443006A1", new Metadata("Open office", HQ, 47.3771, 8.5419),
          "2CF7F1C0443007B2", new Metadata("Server room", HQ, 47.3768, 8.5415),
          "2CF7F1C0523000B1", new Metadata("Meeting room 1", HQ, 47.3770, 8.5416),
          "2CF7F1C0523000C4", new Metadata("Canteen", HQ, 47.3772, 8.5414),
          "2CF7F1C0630002D5", new Metadata("Weather station", GARDEN, 47.3790, 8.5440),
          "2CF7F1C0650001E2", new Metadata("Vegetable bed", GARDEN, 47.3788, 8.5443),
          "2CF7F1C0720004E8", new Metadata("Delivery van", GARDEN, 47.3795, 8.5450),
          "2CF7F1C0441000A3", new Metadata("Basement leak sensor", HQ, 47.3767, 8.5418));

  private final HttpServer server;
  private final ExecutorService executor;
  private final Clock clock;

  private DemoApi(HttpServer server, ExecutorService executor, Clock clock) {
    this.server = server;
    this.executor = executor;
    this.clock = clock;
  }

  /** Listens on a free port of {@code host}. */
  public static DemoApi start(String host, Clock clock) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), 0), 0);
    ExecutorService executor = Executors.newSingleThreadExecutor(DaemonThreads.named("demo-api"));
    DemoApi api = new DemoApi(server, executor, clock);
    server.createContext("/openapi/", api::handle);
    server.setExecutor(executor);
    server.start();
    return api;
  }

  public URI url() {
    InetSocketAddress address = server.getAddress();
    return URI.create(
        "http://" + address.getAddress().getHostAddress() + ":" + address.getPort() + "/openapi/");
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String call = exchange.getRequestURI().getPath().substring("/openapi/".length());
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      if (!ApiWire.loggedIn(exchange, ACCESS_ID, ACCESS_KEY)) {
        ApiWire.send(
            exchange, 401, ApiWire.error("11104", "wrong access ID or access key").toString());
      } else {
        ApiWire.send(
            exchange,
            200,
            answer(call, ApiWire.query(exchange.getRequestURI().getRawQuery()), body).toString());
      }
    }
  }

  private JsonObject answer(String call, Map<String, String> query, String body) {
    JsonArray data = new JsonArray();
    switch (call) {
      case "list_groups" -> {
        data.add(group("Default", ""));
        data.add(group(HQ, GROUPS.get(HQ)));
        data.add(group(GARDEN, GROUPS.get(GARDEN)));
      }
      case "list_devices" -> {
        // Without a group, every device, whatever its group.
        String group = query.getOrDefault("group_uuid", "");
        if (query.getOrDefault("device_type", "2").equals("1")) {
          if (group.isEmpty() || group.equals(GROUPS.get(HQ))) {
            data.add(listed(GATEWAY, "Roof gateway"));
          }
        } else {
          for (DemoFleet.Device device : DemoFleet.DEVICES) {
            Metadata metadata = METADATA.get(device.eui());
            if (group.isEmpty() || GROUPS.get(metadata.group()).equals(group)) {
              data.add(listed(device.eui(), metadata.name()));
            }
          }
        }
      }
      case "view_devices" -> {
        Set<String> wanted = euis(body);
        for (DemoFleet.Device device : DemoFleet.DEVICES) {
          if (wanted.contains(device.eui())) {
            data.add(view(device));
          }
        }
      }
      case "view_device_running_status" -> {
        Set<String> wanted = euis(body);
        long now = clock.millis();
        for (DemoFleet.Device device : DemoFleet.DEVICES) {
          if (wanted.contains(device.eui())) {
            boolean offline = device.eui().equals(OFFLINE);
            data.add(status(device.eui(), offline ? now - 3 * 3_600_000L : now, !offline));
          }
        }
        if (wanted.contains(GATEWAY)) {
          data.add(status(GATEWAY, now, true));
        }
      }
      default -> {
        return ApiWire.error("11202", "unknown call " + call);
      }
    }
    return ApiWire.success(data);
  }

  private static JsonObject group(String name, String uuid) {
    JsonObject group = new JsonObject();
    group.addProperty("group_name", name);
    group.addProperty("group_uuid", uuid);
    return group;
  }

  private static JsonObject listed(String eui, String name) {
    JsonObject device = new JsonObject();
    device.addProperty("device_eui", eui);
    device.addProperty("device_name", name);
    return device;
  }

  private static JsonObject view(DemoFleet.Device device) {
    Metadata metadata = METADATA.get(device.eui());
    JsonObject view = listed(device.eui(), metadata.name());
    view.addProperty("device_network", 1);
    view.addProperty("frequency", "868");
    JsonObject position = new JsonObject();
    position.addProperty("latitude", metadata.latitude());
    position.addProperty("longitude", metadata.longitude());
    view.add("position", position);
    view.addProperty("position_source", 0);
    view.addProperty("hardware_version", "1.0");
    view.addProperty("software_version", "2.1");
    return view;
  }

  private static JsonObject status(String eui, long lastMillis, boolean online) {
    JsonObject status = new JsonObject();
    status.addProperty("device_eui", eui);
    status.addProperty("latest_message_time", Instant.ofEpochMilli(lastMillis).toString());
    status.addProperty("online_status", online ? 1 : 0);
    status.addProperty("report_frequency", 60);
    return status;
  }

  private static Set<String> euis(String body) {
    Set<String> euis = new HashSet<>();
    try {
      if (JsonParser.parseString(body) instanceof JsonObject request
          && request.get("device_euis") instanceof JsonArray list) {
        list.forEach(eui -> euis.add(eui.getAsString()));
      }
    } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
      // Not a request of ours: nothing matches.
    }
    return euis;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
