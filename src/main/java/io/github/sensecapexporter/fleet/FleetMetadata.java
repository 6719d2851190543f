package io.github.sensecapexporter.fleet;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The fleet's metadata as scrapes read it: what the API last gave, with the devices of {@code
 * sensecap.devices} laid over it. A new snapshot from the API replaces the old one whole, so a
 * scrape sees one poll or the next, never half of each. Its status (online, last uplink) is shown
 * only while it is younger than the status lifetime: while the API fails, the last snapshot stays
 * but would soon tell of a past that looks current.
 */
public final class FleetMetadata {
  private record Snapshots(Fleet api, Fleet merged, Fleet mergedWithoutStatus, long readMillis) {}

  private final Fleet manual;
  private final Clock clock;
  private final long statusLifetimeMillis;
  private final AtomicReference<Snapshots> snapshots;

  /**
   * The status lives twice {@code refreshInterval}, the API's, so that one late or failed poll does
   * not make it come and go.
   */
  public FleetMetadata(Fleet manual, Clock clock, Duration refreshInterval) {
    this.manual = manual;
    this.clock = clock;
    this.statusLifetimeMillis = refreshInterval.multipliedBy(2).toMillis();
    this.snapshots = new AtomicReference<>(new Snapshots(Fleet.EMPTY, manual, manual, 0));
  }

  /** What /metrics shows now. */
  public Fleet current() {
    Snapshots now = snapshots.get();
    return clock.millis() - now.readMillis() > statusLifetimeMillis
        ? now.mergedWithoutStatus()
        : now.merged();
  }

  /** What the API gave last, without the file's devices: what the state file keeps. */
  public Fleet fromApi() {
    return snapshots.get().api();
  }

  /** A snapshot read from the API just now. */
  public void replaceFromApi(Fleet api) {
    snapshots.set(
        new Snapshots(
            api,
            api.overriddenBy(manual),
            api.withoutStatus().overriddenBy(manual),
            clock.millis()));
  }
}
