package io.github.sensecapexporter.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.fleet.Device;
import io.github.sensecapexporter.fleet.Fleet;
import io.github.sensecapexporter.fleet.FleetMetadata;
import io.github.sensecapexporter.fleet.Gateway;
import io.github.sensecapexporter.metrics.ExporterMetrics;
import io.github.sensecapexporter.parse.Topic;
import io.github.sensecapexporter.store.Sample;
import io.github.sensecapexporter.store.SeriesKey;
import io.github.sensecapexporter.store.SeriesStore;
import io.github.sensecapexporter.testing.LogCapture;
import io.github.sensecapexporter.testing.MutableClock;
import io.prometheus.client.CollectorRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The API's metadata across a restart, in the state file. */
class FleetStateTest {
  private static final String ORG = "521853156991";
  private static final String ROOM = "2CF7F1C04430065C";
  private static final String GATEWAY = "2CF7F1C04420001A";

  private static final String HEAD =
      "{\"format\":\"sensecap-exporter-state\",\"version\":3,\"org-id\":\""
          + ORG
          + "\",\"series\":[],";
  private static final String HEAD_WITH_SERIES =
      "{\"format\":\"sensecap-exporter-state\",\"version\":3,\"org-id\":\""
          + ORG
          + "\",\"series\":"
          + "[[\"M\",\"2CF7F1C04430065C\",\"1\",\"vs\",\"4097\",23.5,1759186369000,1795000000000]],";

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T19:00:00Z"));

  private static Fleet polled() {
    Device room =
        Device.listed(ROOM, "Meeting room \"3\"", "HQ")
            .withDetails(
                "", "LoRaWAN", "1.0", "2.3", OptionalDouble.of(47.37), OptionalDouble.of(8.54))
            .withStatus(
                Optional.of(true), OptionalLong.of(3600), OptionalLong.of(1_700_000_000_000L));
    return new Fleet(
        Map.of(ROOM, room, "2CF7F1C0443006A1", Device.of("2CF7F1C0443006A1")),
        Map.of(GATEWAY, new Gateway(GATEWAY, "Roof", Optional.of(true))));
  }

  private StateKeeper keeper(SeriesStore store, Optional<FleetMetadata> fleet) {
    return new StateKeeper(
        dir.resolve("state"),
        ORG,
        store,
        new ExporterMetrics(new CollectorRegistry(), "t", "unknown", "unknown"),
        clock,
        fleet);
  }

  @Test
  void theNamesSurviveARestartButNotTheStatusOfThatMoment() throws Exception {
    FleetMetadata before = new FleetMetadata(Fleet.EMPTY, clock, Duration.ofMinutes(10));
    before.replaceFromApi(polled());
    SeriesStore store = new SeriesStore(clock, Duration.ofHours(26), 100);
    store.update(
        new SeriesKey(Topic.Kind.MEASUREMENT, ROOM, "1", "vs", "4097"), 21.5, clock.millis());
    keeper(store, Optional.of(before)).save();

    FleetMetadata after = new FleetMetadata(Fleet.EMPTY, clock, Duration.ofMinutes(10));
    SeriesStore restored = new SeriesStore(clock, Duration.ofHours(26), 100);
    keeper(restored, Optional.of(after)).open();
    Device room = after.current().devices().get(ROOM);
    assertEquals("Meeting room \"3\"", room.name());
    assertEquals("HQ", room.group());
    assertEquals("LoRaWAN", room.network());
    assertEquals("2.3", room.softwareVersion());
    assertEquals(OptionalDouble.of(47.37), room.latitude());
    assertEquals(OptionalDouble.of(8.54), room.longitude());
    assertEquals(OptionalLong.of(3600), room.reportIntervalSeconds());
    assertEquals(Optional.empty(), room.online());
    assertEquals(OptionalLong.empty(), room.lastUplinkMillis());
    assertEquals(2, after.current().devices().size());
    assertEquals(
        new Gateway(GATEWAY, "Roof", Optional.empty()), after.current().gateways().get(GATEWAY));
    assertEquals(1, restored.size());
  }

  @Test
  void withoutTheApiNothingOfItIsRestored() throws Exception {
    FleetMetadata before = new FleetMetadata(Fleet.EMPTY, clock, Duration.ofMinutes(10));
    before.replaceFromApi(polled());
    keeper(new SeriesStore(clock, Duration.ofHours(26), 100), Optional.of(before)).save();
    Fleet manual = new Fleet(Map.of(ROOM, Device.listed(ROOM, "By hand", "")), Map.of());
    FleetMetadata after = new FleetMetadata(manual, clock, Duration.ofMinutes(10));
    keeper(new SeriesStore(clock, Duration.ofHours(26), 100), Optional.empty()).open();
    assertEquals(manual, after.current());
  }

  @Test
  void aVersion2FileStillLoadsWithAnEmptyFleet() throws Exception {
    Path path = dir.resolve("state");
    Files.writeString(
        path,
        "{\"format\":\"sensecap-exporter-state\",\"version\":2,\"org-id\":\""
            + ORG
            + "\",\"series\":"
            + "[[\"M\",\"2CF7F1C04430065C\",\"1\",\"vs\",\"4097\",23.5,1759186369000,1795000000000]]}");
    Map<SeriesKey, Sample> series = new HashMap<>();
    Fleet[] fleet = {null};
    new StateFile(path, ORG).load(series::put, loaded -> fleet[0] = loaded);
    assertEquals(1, series.size());
    assertEquals(Fleet.EMPTY, fleet[0]);
  }

  @Test
  void unknownMembersOfTheFleetAreSkipped() throws Exception {
    Files.writeString(
        dir.resolve("state"),
        HEAD
            + "\"fleet\":{\"devices\":[{\"eui\":\""
            + ROOM
            + "\",\"name\":\"A\",\"colour\":[1,2]}],\"gateways\":[],\"later\":{}}}");
    Fleet[] fleet = {null};
    new StateFile(dir.resolve("state"), ORG).load((k, s) -> {}, loaded -> fleet[0] = loaded);
    assertEquals("A", fleet[0].devices().get(ROOM).name());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"devices\":[{\"eui\":\"not-an-eui\"}],\"gateways\":[]}",
        "{\"devices\":[{\"name\":\"no EUI\"}],\"gateways\":[]}",
        "{\"devices\":[{\"eui\":\"" + ROOM + "\",\"latitude\":\"north\"}],\"gateways\":[]}",
        "{\"devices\":[{\"eui\":\"" + ROOM + "\",\"name\":{}}],\"gateways\":[]}",
        "{\"devices\":{},\"gateways\":[]}",
        "{\"devices\":[],\"gateways\":[{\"eui\":7}]}",
        "[]"
      })
  void aDamagedFleetIsDroppedAndTheSeriesStillLoad(String damaged) throws Exception {
    Files.writeString(dir.resolve("state"), HEAD_WITH_SERIES + "\"fleet\":" + damaged + "}");
    Map<SeriesKey, Sample> series = new HashMap<>();
    Fleet[] fleet = {null};
    try (LogCapture log = new LogCapture(Level.WARNING)) {
      assertTrue(new StateFile(dir.resolve("state"), ORG).load(series::put, f -> fleet[0] = f));
      assertEquals(1, log.count(Level.WARNING, "is damaged"), log.lines().toString());
    }
    assertEquals(1, series.size());
    assertEquals(Fleet.EMPTY, fleet[0]);
  }
}
