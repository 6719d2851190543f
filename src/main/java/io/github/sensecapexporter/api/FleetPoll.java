package io.github.sensecapexporter.api;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.sensecapexporter.fleet.Device;
import io.github.sensecapexporter.fleet.Fleet;
import io.github.sensecapexporter.fleet.FleetMetadata;
import io.github.sensecapexporter.fleet.Gateway;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One poll of the fleet's metadata after another: what {@link ApiPoller} runs, and what the tests
 * drive directly. A poll that cannot list the fleet (list_groups or a list_devices failed, the
 * login was refused, the platform is busy or unreachable) keeps the last snapshot. One whose
 * details or status batch fails for that batch alone (a removed device, a refused EUI) still
 * publishes: those devices keep the name and group of their listing, their details from the last
 * snapshot, and no status.
 */
final class FleetPoll {
  /** view_devices and view_device_running_status take at most 50 EUIs a call. */
  private static final int BATCH = 50;

  /** The API's device_type of a node: list_devices' query text, a number in view_devices' body. */
  private static final int NODE = 2;

  /** The API's device_type of a gateway. */
  private static final int GATEWAY = 1;

  private final ApiClient client;
  private final FleetMetadata fleet;
  private final ApiMetrics metrics;
  private final Clock clock;
  private final int maxDevices;
  private final PollLog log;

  /** A poll's snapshot and the batches that failed on the way. */
  private record Read(Fleet fleet, List<ApiClient.Failure> problems) {}

  /** At most {@code maxDevices} nodes and as many gateways are kept; the rest are counted. */
  FleetPoll(
      ApiClient client, FleetMetadata fleet, ApiMetrics metrics, Clock clock, int maxDevices) {
    this.client = client;
    this.fleet = fleet;
    this.metrics = metrics;
    this.clock = clock;
    this.maxDevices = maxDevices;
    this.log = new PollLog();
  }

  /** One poll; never throws but for an interrupt, which it keeps for the thread. */
  void run() {
    try {
      Read read = read();
      fleet.replaceFromApi(read.fleet());
      if (read.problems().isEmpty()) {
        metrics.pollSucceeded(clock.millis());
      }
      log.polled(read.problems(), read.fleet());
    } catch (ApiClient.Failure e) {
      log.aborted(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Whether a failure says that the rest of the poll would fail too: a refused login, or a platform
   * that is busy, down or unreachable after the retries. 401 and 403 are refused logins without the
   * API's envelope. Anything else concerns the batch that was asked for.
   */
  private static boolean endsThePoll(ApiClient.Failure e) {
    String code = e.code();
    return switch (code) {
      case "11104", "11105", "11201", "timeout", "connection", "401", "403", "429" -> true;
      default -> code.length() == 3 && code.charAt(0) == '5';
    };
  }

  private Read read() throws ApiClient.Failure, InterruptedException {
    List<ApiResponses.Group> groups =
        accepted(Call.LIST_GROUPS, client.get(Call.LIST_GROUPS, Map.of()), ApiResponses::groups);
    // A device in several groups takes the one whose name comes first: the same choice whatever
    // order list_groups gives them in, so that a reordering does not change its info series. The
    // Default group ("") last: it lists every device, and a device keeps the group it has
    // elsewhere.
    List<ApiResponses.Group> ordered = new ArrayList<>();
    groups.stream()
        .filter(g -> !g.uuid().isEmpty())
        .sorted(
            Comparator.comparing(ApiResponses.Group::name).thenComparing(ApiResponses.Group::uuid))
        .forEach(ordered::add);
    groups.stream().filter(g -> g.uuid().isEmpty()).forEach(ordered::add);
    Map<String, Device> devices = new LinkedHashMap<>();
    Map<String, Gateway> gateways = new LinkedHashMap<>();
    Set<String> tooMany = new LinkedHashSet<>();
    for (ApiResponses.Group group : ordered) {
      for (ApiResponses.Listed node : listed(NODE, group)) {
        if (keeps(devices, node.eui(), tooMany)) {
          devices.put(node.eui(), Device.listed(node.eui(), node.name(), group.name()));
        }
      }
      for (ApiResponses.Listed gateway : listed(GATEWAY, group)) {
        if (keeps(gateways, gateway.eui(), tooMany)) {
          gateways.put(gateway.eui(), new Gateway(gateway.eui(), gateway.name(), Optional.empty()));
        }
      }
    }
    tooMany.forEach(eui -> metrics.invalid(Call.LIST_DEVICES, ApiResponses.TOO_MANY));
    List<ApiClient.Failure> problems = new ArrayList<>();
    details(devices, problems);
    statuses(devices, gateways, problems);
    return new Read(new Fleet(devices, gateways), problems);
  }

  /**
   * Whether {@code eui} is new and there is room for it; counted in {@code tooMany} if not room.
   */
  private boolean keeps(Map<String, ?> kept, String eui, Set<String> tooMany) {
    if (kept.containsKey(eui)) {
      return false;
    }
    if (kept.size() >= maxDevices) {
      tooMany.add(eui);
      return false;
    }
    return true;
  }

  private void details(Map<String, Device> devices, List<ApiClient.Failure> problems)
      throws ApiClient.Failure, InterruptedException {
    Fleet previous = fleet.fromApi();
    for (List<String> batch : batches(new ArrayList<>(devices.keySet()))) {
      JsonObject body = euis(batch);
      body.addProperty("device_type", NODE);
      List<ApiResponses.Details> answer;
      try {
        answer =
            accepted(
                Call.VIEW_DEVICES,
                client.post(Call.VIEW_DEVICES, body.toString()),
                ApiResponses::details);
      } catch (ApiClient.Failure e) {
        if (endsThePoll(e)) {
          throw e;
        }
        problems.add(e);
        for (String eui : batch) {
          Device before = previous.devices().get(eui);
          if (before != null) {
            devices.computeIfPresent(eui, (key, device) -> device.withDetailsOf(before));
          }
        }
        continue;
      }
      for (ApiResponses.Details details : answer) {
        devices.computeIfPresent(
            details.eui(),
            (eui, device) ->
                device.withDetails(
                    details.name(),
                    details.network(),
                    details.hardwareVersion(),
                    details.softwareVersion(),
                    details.latitude(),
                    details.longitude()));
      }
    }
  }

  /** Nodes and gateways in batches of their own: a gateway is not a node's batch's problem. */
  private void statuses(
      Map<String, Device> devices, Map<String, Gateway> gateways, List<ApiClient.Failure> problems)
      throws ApiClient.Failure, InterruptedException {
    List<List<String>> batches = batches(new ArrayList<>(devices.keySet()));
    batches.addAll(batches(new ArrayList<>(gateways.keySet())));
    for (List<String> batch : batches) {
      List<ApiResponses.Status> answer;
      try {
        answer =
            accepted(
                Call.VIEW_DEVICE_RUNNING_STATUS,
                client.post(Call.VIEW_DEVICE_RUNNING_STATUS, euis(batch).toString()),
                ApiResponses::statuses);
      } catch (ApiClient.Failure e) {
        if (endsThePoll(e)) {
          throw e;
        }
        // Their status stays unknown: an old one would be shown as current.
        problems.add(e);
        continue;
      }
      for (ApiResponses.Status status : answer) {
        devices.computeIfPresent(
            status.eui(),
            (eui, device) ->
                device.withStatus(
                    status.online(), status.reportIntervalSeconds(), status.lastUplinkMillis()));
        gateways.computeIfPresent(
            status.eui(), (eui, gateway) -> gateway.withOnline(status.online()));
      }
    }
  }

  private List<ApiResponses.Listed> listed(int deviceType, ApiResponses.Group group)
      throws ApiClient.Failure, InterruptedException {
    return accepted(
        Call.LIST_DEVICES,
        client.get(
            Call.LIST_DEVICES,
            // The Default group's uuid is empty: asked without one, the API lists every device,
            // and an empty parameter is not one it documents.
            group.uuid().isEmpty()
                ? Map.of("device_type", String.valueOf(deviceType))
                : Map.of("device_type", String.valueOf(deviceType), "group_uuid", group.uuid())),
        ApiResponses::listed);
  }

  private interface Parser<T> {
    ApiResponses.Parsed<T> parse(JsonElement data) throws ApiResponses.ApiError;
  }

  /** The valid records of a call's data; what was left out is counted. */
  private <T> List<T> accepted(Call call, JsonElement data, Parser<T> parser)
      throws ApiClient.Failure {
    ApiResponses.Parsed<T> parsed;
    try {
      parsed = parser.parse(data);
    } catch (ApiResponses.ApiError e) {
      metrics.error(call, e.code());
      throw new ApiClient.Failure(call, e.code(), e.getMessage());
    }
    parsed.rejected().forEach(reason -> metrics.invalid(call, reason));
    return parsed.records();
  }

  private static JsonObject euis(List<String> batch) {
    JsonArray euis = new JsonArray();
    batch.forEach(euis::add);
    JsonObject body = new JsonObject();
    body.add("device_euis", euis);
    return body;
  }

  private static List<List<String>> batches(List<String> euis) {
    List<List<String>> batches = new ArrayList<>();
    for (int i = 0; i < euis.size(); i += BATCH) {
      batches.add(euis.subList(i, Math.min(euis.size(), i + BATCH)));
    }
    return batches;
  }
}
