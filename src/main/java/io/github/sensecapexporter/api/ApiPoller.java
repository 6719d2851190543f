package io.github.sensecapexporter.api;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.sensecapexporter.concurrent.DaemonThreads;
import io.github.sensecapexporter.concurrent.UncaughtExceptions;
import io.github.sensecapexporter.config.ApiSettings;
import io.github.sensecapexporter.fleet.Device;
import io.github.sensecapexporter.fleet.Fleet;
import io.github.sensecapexporter.fleet.FleetMetadata;
import io.github.sensecapexporter.fleet.Gateway;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads the fleet's metadata from the SenseCAP HTTP API now and then every refresh interval, on a
 * thread of its own, so that MQTT, scrapes and start-up never wait for it. A poll that completes
 * replaces the snapshot whole; one that fails leaves the last good one, and the next refresh tries
 * again. A failure is logged when it begins or changes, not on every poll.
 */
public final class ApiPoller implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ApiPoller.class.getName());

  /** view_devices and view_device_running_status take at most 50 EUIs a call. */
  static final int BATCH = 50;

  private static final String NODE = "2";
  private static final String GATEWAY = "1";

  private final FleetPoll poll;
  private final ApiSettings settings;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService httpThreads;

  private ApiPoller(
      FleetPoll poll,
      ApiSettings settings,
      ScheduledExecutorService scheduler,
      ExecutorService httpThreads) {
    this.poll = poll;
    this.settings = settings;
    this.scheduler = scheduler;
    this.httpThreads = httpThreads;
  }

  /** Starts polling {@code settings}' connection, which must be present. */
  public static ApiPoller start(
      ApiSettings settings, FleetMetadata fleet, ApiMetrics metrics, Clock clock) {
    ApiSettings.Connection connection = settings.connection().orElseThrow();
    ExecutorService httpThreads = Executors.newCachedThreadPool(DaemonThreads.named("api-http"));
    ApiClient client =
        new ApiClient(
            connection,
            settings.requestTimeout(),
            httpThreads,
            metrics,
            clock,
            duration -> Thread.sleep(duration.toMillis()));
    FleetPoll poll = new FleetPoll(client, fleet, metrics, clock, connection);
    ApiPoller poller =
        new ApiPoller(
            poll,
            settings,
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("api-poller")),
            httpThreads);
    poller.scheduler.scheduleWithFixedDelay(
        UncaughtExceptions.guarded(poll::run),
        0,
        settings.refreshInterval().toMillis(),
        TimeUnit.MILLISECONDS);
    LOG.info(
        "reading device names and groups from "
            + connection.url()
            + " every "
            + settings.refreshInterval().toMinutes()
            + " min");
    return poller;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    httpThreads.shutdownNow();
  }

  /** One poll after another: what {@link ApiPoller} runs, and what the tests drive directly. */
  static final class FleetPoll {
    private final ApiClient client;
    private final FleetMetadata fleet;
    private final ApiMetrics metrics;
    private final Clock clock;
    private final String accessKey;
    private String failing = "";
    private boolean succeeded;

    FleetPoll(
        ApiClient client,
        FleetMetadata fleet,
        ApiMetrics metrics,
        Clock clock,
        ApiSettings.Connection connection) {
      this.client = client;
      this.fleet = fleet;
      this.metrics = metrics;
      this.clock = clock;
      this.accessKey = connection.accessKey().reveal();
    }

    /** One poll; never throws but for an interrupt, which it keeps for the thread. */
    void run() {
      try {
        Fleet read = read();
        fleet.replaceFromApi(read);
        metrics.pollSucceeded(clock.millis());
        Level level = succeeded && failing.isEmpty() ? Level.FINE : Level.INFO;
        LOG.log(
            level,
            (failing.isEmpty() ? "" : "SenseCAP HTTP API answers again: ")
                + read.devices().size()
                + " devices and "
                + read.gateways().size()
                + " gateways");
        failing = "";
        succeeded = true;
      } catch (ApiClient.Failure e) {
        String problem = e.call().path() + " " + e.code();
        if (!problem.equals(failing)) {
          String meaning = ApiResponses.meaning(e.code());
          LOG.warning(
              "SenseCAP HTTP API: "
                  + e.call().path()
                  + " failed with code "
                  + e.code()
                  + (meaning.isEmpty() ? "" : " (" + meaning + ")")
                  + (e.getMessage().isEmpty() ? "" : ": " + printable(e.getMessage()))
                  + "; keeping the last metadata and trying again at the next refresh");
          failing = problem;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Never the key, whatever an answer quotes; on one line and short. */
    private String printable(String message) {
      String masked = accessKey.isEmpty() ? message : message.replace(accessKey, "(redacted)");
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < masked.length() && out.length() < 200; i++) {
        char c = masked.charAt(i);
        out.append(Character.isISOControl(c) ? ' ' : c);
      }
      return out.toString();
    }

    private Fleet read() throws ApiClient.Failure, InterruptedException {
      List<ApiResponses.Group> groups =
          accepted(Call.LIST_GROUPS, client.get(Call.LIST_GROUPS, Map.of()), ApiResponses::groups);
      // The Default group ("") last: whether it lists every device or only the ungrouped ones,
      // a device then keeps the group it has elsewhere.
      List<ApiResponses.Group> ordered = new ArrayList<>();
      groups.stream().filter(g -> !g.uuid().isEmpty()).forEach(ordered::add);
      groups.stream().filter(g -> g.uuid().isEmpty()).forEach(ordered::add);
      Map<String, Device> devices = new LinkedHashMap<>();
      Map<String, Gateway> gateways = new LinkedHashMap<>();
      for (ApiResponses.Group group : ordered) {
        for (ApiResponses.Listed node : listed(NODE, group)) {
          devices.putIfAbsent(
              node.eui(), Device.of(node.eui()).withName(node.name()).withGroup(group.name()));
        }
        for (ApiResponses.Listed gateway : listed(GATEWAY, group)) {
          gateways.putIfAbsent(
              gateway.eui(), new Gateway(gateway.eui(), gateway.name(), Optional.empty()));
        }
      }
      for (List<String> batch : batches(new ArrayList<>(devices.keySet()))) {
        JsonObject body = euis(batch);
        body.addProperty("device_type", Integer.parseInt(NODE));
        for (ApiResponses.Details details :
            accepted(
                Call.VIEW_DEVICES,
                client.post(Call.VIEW_DEVICES, body.toString()),
                ApiResponses::details)) {
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
      List<String> everything = new ArrayList<>(devices.keySet());
      everything.addAll(gateways.keySet());
      for (List<String> batch : batches(everything)) {
        for (ApiResponses.Status status :
            accepted(
                Call.VIEW_DEVICE_RUNNING_STATUS,
                client.post(Call.VIEW_DEVICE_RUNNING_STATUS, euis(batch).toString()),
                ApiResponses::statuses)) {
          devices.computeIfPresent(
              status.eui(),
              (eui, device) ->
                  device.withStatus(
                      status.online(), status.reportIntervalSeconds(), status.lastUplinkMillis()));
          gateways.computeIfPresent(
              status.eui(), (eui, gateway) -> gateway.withOnline(status.online()));
        }
      }
      return new Fleet(devices, gateways);
    }

    private List<ApiResponses.Listed> listed(String deviceType, ApiResponses.Group group)
        throws ApiClient.Failure, InterruptedException {
      return accepted(
          Call.LIST_DEVICES,
          client.get(
              Call.LIST_DEVICES, Map.of("device_type", deviceType, "group_uuid", group.uuid())),
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
}
