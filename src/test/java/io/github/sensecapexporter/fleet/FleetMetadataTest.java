package io.github.sensecapexporter.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.sensecapexporter.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** What scrapes see of the API's snapshot, and for how long its status counts as current. */
class FleetMetadataTest {
  private static final String ROOM = "2CF7F1C044300001";
  private static final String GATEWAY = "2CF7F1C04420001A";
  private static final Duration REFRESH = Duration.ofMinutes(10);
  private static final Duration LIFETIME = Duration.ofMinutes(20);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-07-10T03:00:00Z"));

  private static Fleet polled() {
    Device room =
        Device.listed(ROOM, "Meeting room 3", "HQ")
            .withDetails("", "LoRaWAN", "1.0", "2.0", OptionalDouble.of(47), OptionalDouble.of(8))
            .withStatus(
                Optional.of(true), OptionalLong.of(300), OptionalLong.of(1_783_648_813_511L));
    return new Fleet(
        Map.of(ROOM, room), Map.of(GATEWAY, new Gateway(GATEWAY, "Roof", Optional.of(true))));
  }

  @Test
  void theStatusIsShownWhileItIsYoungerThanItsLifetime() {
    Fleet manual = new Fleet(Map.of(ROOM, Device.listed(ROOM, "By hand", "")), Map.of());
    FleetMetadata fleet = new FleetMetadata(manual, clock, REFRESH);
    fleet.replaceFromApi(polled());
    clock.advance(LIFETIME);
    Device fresh = fleet.current().devices().get(ROOM);
    assertEquals(Optional.of(true), fresh.online());
    assertEquals(Optional.of(true), fleet.current().gateways().get(GATEWAY).online());

    clock.advance(Duration.ofMillis(1));
    Device stale = fleet.current().devices().get(ROOM);
    assertEquals(Optional.empty(), stale.online());
    assertEquals(OptionalLong.empty(), stale.lastUplinkMillis());
    assertEquals(Optional.empty(), fleet.current().gateways().get(GATEWAY).online());
    // What describes the device stays, and the file still wins.
    assertEquals(OptionalLong.of(300), stale.reportIntervalSeconds());
    assertEquals("By hand", stale.name());
    assertEquals("HQ", stale.group());
    assertEquals(OptionalDouble.of(47), stale.latitude());
    // The state file keeps what the API gave, whatever its age.
    assertEquals(polled(), fleet.fromApi());

    fleet.replaceFromApi(polled());
    assertEquals(Optional.of(true), fleet.current().devices().get(ROOM).online());
  }

  @Test
  void beforeAnySnapshotTheFileAloneIsShown() {
    Fleet manual = new Fleet(Map.of(ROOM, Device.listed(ROOM, "", "Cellar")), Map.of());
    assertEquals(manual, new FleetMetadata(manual, clock, REFRESH).current());
  }
}
