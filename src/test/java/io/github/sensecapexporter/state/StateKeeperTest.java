package io.github.sensecapexporter.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.fleet.Fleet;
import io.github.sensecapexporter.metrics.ExporterMetrics;
import io.github.sensecapexporter.parse.Topic;
import io.github.sensecapexporter.store.Sample;
import io.github.sensecapexporter.store.SeriesKey;
import io.github.sensecapexporter.store.SeriesStore;
import io.github.sensecapexporter.testing.LogCapture;
import io.github.sensecapexporter.testing.MutableClock;
import io.prometheus.client.CollectorRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateKeeperTest {
  private static final String ORG = "521853156991";
  private static final SeriesKey KEY =
      new SeriesKey(Topic.Kind.MEASUREMENT, "2CF7F1C04430065C", "1", "vs", "4097");
  private static final SeriesKey OTHER_KEY =
      new SeriesKey(Topic.Kind.MEASUREMENT, "2CF7F1C04430065C", "1", "vs", "4098");

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T19:00:00Z"));
  private final CollectorRegistry registry = new CollectorRegistry();
  private final SeriesStore store = new SeriesStore(clock, Duration.ofHours(26), 100);

  private Path path() {
    return dir.resolve("exporter.state");
  }

  private StateKeeper keeper() {
    return new StateKeeper(
        path(),
        ORG,
        store,
        new ExporterMetrics(registry, "test", "unknown"),
        clock,
        Optional.empty());
  }

  private void saved(String orgId, Map<SeriesKey, Sample> series) throws IOException {
    new StateFile(path(), orgId).save(series::forEach, Fleet.EMPTY);
  }

  @Test
  void aSampleStampedMoreThanAnHourAheadIsNotRestored() throws Exception {
    long now = clock.millis();
    saved(
        ORG,
        Map.of(
            KEY, new Sample(99, now + Duration.ofHours(2).toMillis(), now - 60_000),
            OTHER_KEY, new Sample(21, now - 60_000, now - 60_000)));
    keeper().open();
    assertEquals(1, store.size(), "only the sample the live feed would accept");
    // Restored, the future sample would have refused every true reading as out of order.
    assertEquals(SeriesStore.Outcome.STORED, store.update(KEY, 22.5, now));
  }

  @Test
  void anotherOrganisationsFileIsNotServedAndIsSetAside() throws Exception {
    saved("100000000001", Map.of(KEY, new Sample(21, clock.millis(), clock.millis())));
    try (LogCapture log = new LogCapture(Level.INFO)) {
      keeper().open();
      assertEquals(0, store.size());
      assertEquals(
          1,
          log.count(Level.WARNING, "organisation 100000000001, not of " + ORG),
          log.lines().toString());
    }
    assertFalse(Files.exists(path()));
    assertTrue(Files.exists(dir.resolve("exporter.state.other-org")), "kept for whoever owns it");
  }

  @Test
  void anUnreadableFileStopsStartUpAndIsLeftAsItIs() throws Exception {
    Files.createDirectory(path()); // unreadable as a file, even for root
    IOException e = assertThrows(IOException.class, keeper()::open);
    assertTrue(e.getMessage().startsWith("cannot read " + path()), e.getMessage());
    assertTrue(e.getMessage().endsWith("; it is left as it is"), e.getMessage());
    assertTrue(Files.isDirectory(path()));
    try (var files = Files.list(dir)) {
      assertEquals(List.of(path()), files.toList(), "nothing moved aside");
    }
  }

  @Test
  void repeatedSaveFailuresAreLoggedOnceAnHourAndEveryOneCounted() throws Exception {
    Files.createDirectories(path().resolve("inside")); // a save cannot rename over it
    StateKeeper keeper = keeper();
    try (LogCapture log = new LogCapture(Level.INFO)) {
      for (int i = 0; i < 12; i++) {
        keeper.save();
        clock.advance(Duration.ofMinutes(5));
      }
      assertEquals(1, log.count(Level.WARNING, "cannot save state"), log.lines().toString());
      keeper.save();
      assertEquals(2, log.count(Level.WARNING, "cannot save state"), log.lines().toString());
      assertEquals(1, log.count(Level.WARNING, "(11 more like it not logged)"));
    }
    assertEquals(13.0, registry.getSampleValue("sensecap_exporter_state_save_failures_total"));
  }
}
