package io.github.sensecapexporter.api;

import static io.github.sensecapexporter.testing.FakeSenseCapApi.ACCESS_ID;
import static io.github.sensecapexporter.testing.FakeSenseCapApi.ACCESS_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.concurrent.UncaughtExceptions;
import io.github.sensecapexporter.config.ApiSettings;
import io.github.sensecapexporter.config.Secret;
import io.github.sensecapexporter.fleet.Device;
import io.github.sensecapexporter.fleet.Fleet;
import io.github.sensecapexporter.fleet.FleetMetadata;
import io.github.sensecapexporter.testing.FakeSenseCapApi;
import io.github.sensecapexporter.testing.FakeSenseCapApi.Answer;
import io.github.sensecapexporter.testing.LogCapture;
import io.github.sensecapexporter.testing.MutableClock;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The poll against the loopback API, with a clock that only the client's waits move. */
class ApiPollerTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-07-10T03:00:00Z"));
  private final List<Duration> sleeps = new ArrayList<>();
  private final CollectorRegistry registry = new CollectorRegistry();
  private final ApiMetrics metrics = new ApiMetrics(registry);

  /** The client's monotonic clock: only its waits move it, as they move the wall clock. */
  private final AtomicLong nanos = new AtomicLong();

  private final FleetMetadata fleet = new FleetMetadata(Fleet.EMPTY, clock, Duration.ofMinutes(10));
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private FakeSenseCapApi api;
  private final Thread.UncaughtExceptionHandler previousHandler =
      Thread.getDefaultUncaughtExceptionHandler();

  @AfterEach
  void tearDown() {
    if (api != null) {
      api.close();
    }
    threads.shutdownNow();
    UncaughtExceptions.install(List.of());
    Thread.setDefaultUncaughtExceptionHandler(previousHandler);
  }

  private FleetPoll poll(String organisation, String key, Duration timeout, int maxDevices)
      throws IOException {
    api = FakeSenseCapApi.start(organisation, clock);
    ApiSettings.Connection connection =
        new ApiSettings.Connection(api.url(), ACCESS_ID, new Secret(key), Optional.empty());
    // The log masks what Main installs: the key and the Base64 part of its header.
    String header = connection.authorization().reveal();
    UncaughtExceptions.install(List.of(key, header.substring(header.indexOf(' ') + 1)));
    return new FleetPoll(client(connection, timeout), fleet, metrics, clock, maxDevices);
  }

  private ApiClient client(ApiSettings.Connection connection, Duration timeout) {
    return new ApiClient(
        connection,
        timeout,
        threads,
        metrics,
        nanos::get,
        duration -> {
          sleeps.add(duration);
          clock.advance(duration);
          nanos.addAndGet(duration.toNanos());
        });
  }

  private FleetPoll poll(String organisation, String key, Duration timeout) throws IOException {
    return poll(organisation, key, timeout, 10_000);
  }

  private FleetPoll poll(String organisation) throws IOException {
    return poll(organisation, ACCESS_KEY, Duration.ofSeconds(5));
  }

  private double sample(String name, String... labels) {
    String[] names = new String[labels.length / 2];
    String[] values = new String[labels.length / 2];
    for (int i = 0; i < names.length; i++) {
      names[i] = labels[2 * i];
      values[i] = labels[2 * i + 1];
    }
    Double value = registry.getSampleValue(name, names, values);
    return value == null ? 0 : value;
  }

  private String exposition() throws IOException {
    StringWriter out = new StringWriter();
    TextFormat.write004(out, registry.metricFamilySamples());
    return out.toString();
  }

  @Test
  void anOrganisationOf120DevicesInThreeGroups() throws IOException {
    poll("organisation-120.json").run();
    Fleet read = fleet.current();
    assertEquals(120, read.devices().size());
    Map<String, Long> perGroup = new java.util.TreeMap<>();
    read.devices().values().forEach(d -> perGroup.merge(d.group(), 1L, Long::sum));
    // The Default group lists every device, yet each keeps its own group.
    assertEquals(Map.of("Greenhouse", 40L, "HQ", 40L, "Warehouse", 40L), perGroup);
    Device first = read.devices().get("2CF7F1C044300001");
    assertEquals("HQ 001", first.name());
    assertEquals("LoRaWAN", first.network());
    assertEquals("1.0", first.hardwareVersion());
    assertEquals(OptionalDouble.of(47.0), first.latitude());
    assertEquals(OptionalDouble.of(8.0), first.longitude());
    assertEquals(Optional.of(true), first.online());
    assertEquals(OptionalLong.of(3600), first.reportIntervalSeconds());
    assertEquals(
        OptionalLong.of(Instant.parse("2026-07-10T02:00:13.511Z").toEpochMilli()),
        first.lastUplinkMillis());
    assertEquals("NB-IoT", read.devices().get("2CF7F1C044300007").network());
    assertEquals(Optional.of(false), read.devices().get("2CF7F1C04430000A").online());
    assertEquals(2, read.gateways().size());
    assertEquals("Roof gateway", read.gateways().get("2CF7F1C04420001A").name());
    assertEquals(Optional.of(true), read.gateways().get("2CF7F1C04420001A").online());
    assertEquals(Optional.of(false), read.gateways().get("2CF7F1C04420002B").online());

    // 1 list_groups, 2 list_devices per group (4 with Default), batches of at most 50.
    assertEquals(1, api.count("list_groups"));
    assertEquals(8, api.count("list_devices"));
    assertEquals(3, api.count("view_devices"));
    // Nodes and gateways in batches of their own.
    assertEquals(4, api.count("view_device_running_status"));
    assertEquals(3.0, sample("sensecap_exporter_api_requests_total", "call", "view_devices"));
    assertEquals(
        clock.millis() / 1000.0, sample("sensecap_exporter_api_last_success_timestamp_seconds"));
    assertTrue(
        api.requests().stream()
            .filter(r -> r.call().equals("list_devices"))
            .anyMatch(
                r -> r.query().equals(Map.of("device_type", "1", "group_uuid", "3C1E5A6B-0002"))));
    // The Default group, whose uuid is empty, is asked without one.
    assertTrue(
        api.requests().stream()
            .filter(r -> r.call().equals("list_devices"))
            .anyMatch(r -> r.query().equals(Map.of("device_type", "2"))));
    assertTrue(
        api.requests().stream().noneMatch(r -> "".equals(r.query().get("group_uuid"))),
        "an empty group_uuid was sent");
  }

  @Test
  void neverMoreThanOneRequestASecond() throws IOException {
    poll("organisation-120.json").run();
    List<FakeSenseCapApi.Request> requests = api.requests();
    assertEquals(16, requests.size());
    for (int i = 1; i < requests.size(); i++) {
      assertTrue(
          requests.get(i).clockMillis() - requests.get(i - 1).clockMillis() >= 1000,
          "request " + i + " came " + requests.get(i).clockMillis() + " ms");
    }
    // The waits were the client's own, on the injected clock: none took a real second.
    assertEquals(15, sleeps.size());
  }

  @Test
  void http429IsRetriedAfterAWaitThatGrows() throws IOException {
    FleetPoll poll = poll("organisation-4.json");
    api.queue("list_groups", Answer.of(429, ""), Answer.of(503, "busy"));
    poll.run();
    assertEquals(4, fleet.current().devices().size());
    assertEquals(3, api.count("list_groups"));
    assertEquals(
        1.0, sample("sensecap_exporter_api_errors_total", "call", "list_groups", "code", "429"));
    assertEquals(
        1.0, sample("sensecap_exporter_api_errors_total", "call", "list_groups", "code", "503"));
    assertTrue(
        sleeps.get(0).toMillis() >= 1000 && sleeps.get(0).toMillis() <= 2000, sleeps.toString());
    assertTrue(
        sleeps.get(1).toMillis() >= 2000 && sleeps.get(1).toMillis() <= 4000, sleeps.toString());
  }

  @Test
  void aPollThatCannotListTheFleetKeepsTheLastGoodMetadata() throws IOException {
    FleetPoll poll = poll("organisation-4.json");
    poll.run();
    Fleet good = fleet.current();
    assertEquals(4, good.devices().size());
    double success = sample("sensecap_exporter_api_last_success_timestamp_seconds");
    Answer busy = Answer.of(429, "");
    api.queue("view_devices", busy, busy, busy, busy);
    poll.run();
    assertEquals(good, fleet.current());
    assertEquals(
        4.0, sample("sensecap_exporter_api_errors_total", "call", "view_devices", "code", "429"));
    assertEquals(success, sample("sensecap_exporter_api_last_success_timestamp_seconds"));
    api.queue("list_devices", Answer.of(200, "{\"code\":\"11202\",\"msg\":\"bad\"}"));
    poll.run();
    assertEquals(good, fleet.current());
    api.queue(
        "view_device_running_status", Answer.of(200, FakeSenseCapApi.fixture("error-11104.json")));
    poll.run();
    assertEquals(good, fleet.current());
    assertEquals(success, sample("sensecap_exporter_api_last_success_timestamp_seconds"));
  }

  @Test
  void aBatchThatFailsLeavesTheRestOfThePoll() throws IOException {
    try (LogCapture log = new LogCapture(Level.FINE)) {
      FleetPoll poll = poll("organisation-4.json");
      poll.run();
      Fleet good = fleet.current();
      double success = sample("sensecap_exporter_api_last_success_timestamp_seconds");
      clock.advance(Duration.ofMinutes(10));
      for (int i = 0; i < 2; i++) {
        // A device removed since list_devices: the platform refuses the whole batch.
        api.queue(
            "view_devices",
            Answer.of(200, "{\"code\":\"11303\",\"msg\":\"device not on this account\"}"));
        api.queue(
            "view_device_running_status",
            Answer.of(200, FakeSenseCapApi.fixture("malformed-truncated.txt")));
        poll.run();
      }
      Fleet partial = fleet.current();
      assertEquals(good.devices().keySet(), partial.devices().keySet());
      Device before = good.devices().get("2CF7F1C044300001");
      Device after = partial.devices().get("2CF7F1C044300001");
      assertEquals("HQ 001", after.name());
      assertEquals("HQ", after.group());
      // Details from the last snapshot, no status: an old one would look current.
      assertEquals(before.network(), after.network());
      assertEquals(before.latitude(), after.latitude());
      assertEquals(Optional.empty(), after.online());
      assertEquals(OptionalLong.empty(), after.lastUplinkMillis());
      // The gateways' batch is their own and answered.
      assertEquals(Optional.of(true), partial.gateways().get("2CF7F1C04420001A").online());
      assertEquals(
          2.0,
          sample("sensecap_exporter_api_errors_total", "call", "view_devices", "code", "11303"));
      assertEquals(
          2.0,
          sample(
              "sensecap_exporter_api_errors_total",
              "call",
              "view_device_running_status",
              "code",
              "invalid_response"));
      assertEquals(success, sample("sensecap_exporter_api_last_success_timestamp_seconds"));
      assertEquals(1, log.count(Level.WARNING, "code 11303"), log.lines().toString());
      assertEquals(1, log.count(Level.WARNING, "code invalid_response"), log.lines().toString());

      poll.run();
      assertEquals(good, fleet.current());
      assertEquals(
          clock.millis() / 1000.0, sample("sensecap_exporter_api_last_success_timestamp_seconds"));
      assertEquals(1, log.count(Level.INFO, "answers again"), log.lines().toString());
    }
  }

  @Test
  void aBatchThatFailsInTheFirstPollGivesNamesAndGroups() throws IOException {
    FleetPoll poll = poll("organisation-4.json");
    api.queue("view_devices", Answer.of(200, "{\"code\":\"11206\",\"msg\":\"too many\"}"));
    poll.run();
    Device device = fleet.current().devices().get("2CF7F1C044300003");
    assertEquals("Greenhouse 001", device.name());
    assertEquals("Greenhouse", device.group());
    assertEquals("", device.network());
    assertEquals(OptionalDouble.empty(), device.latitude());
    assertEquals(Optional.of(true), device.online());
  }

  @Test
  void devicesPastTheCapAreCountedNotKept() throws IOException {
    poll("organisation-4.json", ACCESS_KEY, Duration.ofSeconds(5), 3).run();
    assertEquals(3, fleet.current().devices().size());
    assertEquals(1, fleet.current().gateways().size());
    // Listed twice, in its group and in Default, and counted once.
    assertEquals(
        1.0,
        sample(
            "sensecap_exporter_api_invalid_records_total",
            "call",
            "list_devices",
            "reason",
            "too_many"));
  }

  @Test
  void aDeviceInTwoGroupsTakesTheGroupWhoseNameComesFirstWhateverTheirOrder() throws IOException {
    FleetPoll poll = poll("organisation-two-groups.json");
    poll.run();
    assertEquals("Alpha", fleet.current().devices().get("2CF7F1C044300001").group());
    assertEquals("Zeta", fleet.current().devices().get("2CF7F1C044300002").group());
    api.queue(
        "list_groups",
        Answer.of(
            200,
            "{\"code\":\"0\",\"data\":[{\"group_name\":\"Alpha\",\"group_uuid\":\"A-1\"},"
                + "{\"group_name\":\"Default\",\"group_uuid\":\"\"},"
                + "{\"group_name\":\"Zeta\",\"group_uuid\":\"Z-1\"}]}"));
    poll.run();
    assertEquals("Alpha", fleet.current().devices().get("2CF7F1C044300001").group());
    assertEquals("Zeta", fleet.current().devices().get("2CF7F1C044300002").group());
  }

  @ParameterizedTest
  @ValueSource(strings = {"error-11104.json", "error-11105.json"})
  void aRefusedLoginIsLoggedOnceCountedAndTriedAgain(String fixture) throws IOException {
    String code = fixture.substring(6, 11);
    try (LogCapture log = new LogCapture(Level.FINE)) {
      FleetPoll poll = poll("organisation-4.json");
      for (int i = 0; i < 3; i++) {
        api.queue("list_groups", Answer.of(200, FakeSenseCapApi.fixture(fixture)));
        poll.run();
      }
      assertEquals(Fleet.EMPTY, fleet.current());
      assertEquals(
          3.0, sample("sensecap_exporter_api_errors_total", "call", "list_groups", "code", code));
      assertEquals(1, log.count(Level.WARNING, "code " + code), log.lines().toString());
      poll.run();
      assertEquals(4, fleet.current().devices().size());
      assertEquals(1, log.count(Level.INFO, "answers again"), log.lines().toString());
    }
  }

  @Test
  void theKeyAppearsNowhere() throws IOException {
    String wrongKey = "WRONG-KEY-5b2a4f3e9d7c6b5a";
    try (LogCapture log = new LogCapture(Level.ALL)) {
      poll("organisation-4.json", wrongKey, Duration.ofSeconds(5)).run();
      assertEquals(
          1.0,
          sample("sensecap_exporter_api_errors_total", "call", "list_groups", "code", "11104"));
      String basic = Base64.getEncoder().encodeToString((ACCESS_ID + ":" + wrongKey).getBytes());
      String everything = String.join("\n", log.lines()) + exposition();
      assertFalse(everything.contains(wrongKey), everything);
      assertFalse(everything.contains(basic), everything);
      assertTrue(everything.contains("11104"), everything);
    }
  }

  @Test
  void anAnswerThatQuotesTheKeyIsLoggedWithoutIt() throws IOException {
    try (LogCapture log = new LogCapture(Level.ALL)) {
      FleetPoll poll = poll("organisation-4.json");
      api.queue(
          "list_groups",
          Answer.of(200, "{\"code\":\"11202\",\"msg\":\"bad parameter " + ACCESS_KEY + "\"}"));
      poll.run();
      assertEquals(1, log.count(Level.WARNING, "bad parameter (redacted)"), log.lines().toString());
      assertFalse(String.join("\n", log.lines()).contains(ACCESS_KEY));
    }
  }

  @Test
  void anAnswerThatQuotesTheAuthorizationHeaderIsLoggedWithoutIt() throws IOException {
    String basic = Base64.getEncoder().encodeToString((ACCESS_ID + ":" + ACCESS_KEY).getBytes());
    try (LogCapture log = new LogCapture(Level.ALL)) {
      FleetPoll poll = poll("organisation-4.json");
      api.queue(
          "list_groups",
          Answer.of(200, "{\"code\":\"11202\",\"msg\":\"bad token " + basic + "\"}"));
      poll.run();
      assertEquals(1, log.count(Level.WARNING, "bad token (redacted)"), log.lines().toString());
      assertFalse(String.join("\n", log.lines()).contains(basic));
    }
  }

  @Test
  void aSlowAnswerTimesOut() throws IOException {
    FleetPoll poll = poll("organisation-4.json", ACCESS_KEY, Duration.ofMillis(300));
    api.queue("list_groups", new Answer(200, "{\"code\":\"0\",\"data\":[]}", 3000));
    poll.run();
    assertEquals(
        1.0,
        sample("sensecap_exporter_api_errors_total", "call", "list_groups", "code", "timeout"));
    assertEquals(Fleet.EMPTY, fleet.current());
    assertEquals(0.0, sample("sensecap_exporter_api_last_success_timestamp_seconds"));
  }

  @Test
  void invalidRecordsAreCountedByReason() throws IOException {
    FleetPoll poll = poll("organisation-4.json");
    api.queue(
        "view_devices",
        Answer.of(200, FakeSenseCapApi.fixture("view_devices-invalid-records.json")));
    poll.run();
    assertEquals(4, fleet.current().devices().size());
    assertEquals(
        1.0,
        sample(
            "sensecap_exporter_api_invalid_records_total",
            "call",
            "view_devices",
            "reason",
            "not_an_object"));
    assertEquals(
        2.0,
        sample(
            "sensecap_exporter_api_invalid_records_total",
            "call",
            "view_devices",
            "reason",
            "invalid_eui"));
  }
}
