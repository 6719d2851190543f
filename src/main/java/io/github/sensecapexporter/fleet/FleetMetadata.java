package io.github.sensecapexporter.fleet;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The fleet's metadata as scrapes read it: what the API last gave, with the devices of {@code
 * sensecap.devices} laid over it. A new snapshot from the API replaces the old one whole, so a
 * scrape sees one poll or the next, never half of each.
 */
public final class FleetMetadata {
  private record Snapshots(Fleet api, Fleet merged) {}

  private final Fleet manual;
  private final AtomicReference<Snapshots> snapshots;

  public FleetMetadata(Fleet manual) {
    this.manual = manual;
    this.snapshots = new AtomicReference<>(new Snapshots(Fleet.EMPTY, manual));
  }

  /** What /metrics shows. */
  public Fleet current() {
    return snapshots.get().merged();
  }

  /** What the API gave last, without the file's devices: what the state file keeps. */
  public Fleet fromApi() {
    return snapshots.get().api();
  }

  public void replaceFromApi(Fleet api) {
    snapshots.set(new Snapshots(api, api.overriddenBy(manual)));
  }
}
