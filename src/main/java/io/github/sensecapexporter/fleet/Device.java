package io.github.sensecapexporter.fleet;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What is known of one sensor node besides its readings: from the SenseCAP HTTP API, from {@code
 * sensecap.devices}, or both. An empty text is unknown; so is an empty optional, whose series is
 * then left out rather than shown as 0. Texts are {@link Fleet#label bounded} whatever their
 * source.
 */
public record Device(
    String eui,
    String name,
    String group,
    String network,
    String hardwareVersion,
    String softwareVersion,
    OptionalDouble latitude,
    OptionalDouble longitude,
    Optional<Boolean> online,
    OptionalLong reportIntervalSeconds,
    OptionalLong lastUplinkMillis) {

  public Device {
    name = Fleet.label(name);
    group = Fleet.label(group);
    network = Fleet.label(network);
    hardwareVersion = Fleet.label(hardwareVersion);
    softwareVersion = Fleet.label(softwareVersion);
    if (latitude.isPresent() != longitude.isPresent()) {
      // A map needs both; half a position is none.
      latitude = OptionalDouble.empty();
      longitude = OptionalDouble.empty();
    }
  }

  /** A device known by its EUI only. */
  public static Device of(String eui) {
    return new Device(
        eui,
        "",
        "",
        "",
        "",
        "",
        OptionalDouble.empty(),
        OptionalDouble.empty(),
        Optional.empty(),
        OptionalLong.empty(),
        OptionalLong.empty());
  }

  public Device withName(String newName) {
    return new Device(
        eui,
        newName,
        group,
        network,
        hardwareVersion,
        softwareVersion,
        latitude,
        longitude,
        online,
        reportIntervalSeconds,
        lastUplinkMillis);
  }

  public Device withGroup(String newGroup) {
    return new Device(
        eui,
        name,
        newGroup,
        network,
        hardwareVersion,
        softwareVersion,
        latitude,
        longitude,
        online,
        reportIntervalSeconds,
        lastUplinkMillis);
  }

  /** The details of {@code view_devices}: the name, if given, replaces this one. */
  public Device withDetails(
      String newName,
      String newNetwork,
      String newHardwareVersion,
      String newSoftwareVersion,
      OptionalDouble newLatitude,
      OptionalDouble newLongitude) {
    return new Device(
        eui,
        newName.isEmpty() ? name : newName,
        group,
        newNetwork,
        newHardwareVersion,
        newSoftwareVersion,
        newLatitude,
        newLongitude,
        online,
        reportIntervalSeconds,
        lastUplinkMillis);
  }

  /**
   * The details of {@code previous}, this device's entry of an earlier snapshot, for a poll whose
   * view_devices did not answer for it; name and group stay this one's.
   */
  public Device withDetailsOf(Device previous) {
    return withDetails(
        "",
        previous.network,
        previous.hardwareVersion,
        previous.softwareVersion,
        previous.latitude,
        previous.longitude);
  }

  /** The running status of {@code view_device_running_status}. */
  public Device withStatus(
      Optional<Boolean> newOnline,
      OptionalLong newReportIntervalSeconds,
      OptionalLong newLastUplinkMillis) {
    return new Device(
        eui,
        name,
        group,
        network,
        hardwareVersion,
        softwareVersion,
        latitude,
        longitude,
        newOnline,
        newReportIntervalSeconds,
        newLastUplinkMillis);
  }

  /** This device with every field {@code manual} gives in place of its own: the file wins. */
  Device overriddenBy(Device manual) {
    boolean position = manual.latitude.isPresent();
    return new Device(
        eui,
        manual.name.isEmpty() ? name : manual.name,
        manual.group.isEmpty() ? group : manual.group,
        manual.network.isEmpty() ? network : manual.network,
        manual.hardwareVersion.isEmpty() ? hardwareVersion : manual.hardwareVersion,
        manual.softwareVersion.isEmpty() ? softwareVersion : manual.softwareVersion,
        position ? manual.latitude : latitude,
        position ? manual.longitude : longitude,
        manual.online.isPresent() ? manual.online : online,
        manual.reportIntervalSeconds.isPresent()
            ? manual.reportIntervalSeconds
            : reportIntervalSeconds,
        manual.lastUplinkMillis.isPresent() ? manual.lastUplinkMillis : lastUplinkMillis);
  }
}
