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
    return listed(eui, "", "");
  }

  /** A device as list_devices gives it: its name and group, the rest unknown until asked. */
  public static Device listed(String eui, String name, String group) {
    return new Device(
        eui,
        name,
        group,
        "",
        "",
        "",
        OptionalDouble.empty(),
        OptionalDouble.empty(),
        Optional.empty(),
        OptionalLong.empty(),
        OptionalLong.empty());
  }

  /** A device of {@code sensecap.devices}: all that the file can say of one. */
  public static Device manual(
      String eui, String name, String group, OptionalDouble latitude, OptionalDouble longitude) {
    return new Device(
        eui,
        name,
        group,
        "",
        "",
        "",
        latitude,
        longitude,
        Optional.empty(),
        OptionalLong.empty(),
        OptionalLong.empty());
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

  /**
   * This device with what {@code manual}, a device of {@code sensecap.devices}, gives in place of
   * its own: the file wins. The file gives no more than a name, a group and a position.
   */
  Device overriddenBy(Device manual) {
    boolean position = manual.latitude.isPresent();
    return new Device(
        eui,
        manual.name.isEmpty() ? name : manual.name,
        manual.group.isEmpty() ? group : manual.group,
        network,
        hardwareVersion,
        softwareVersion,
        position ? manual.latitude : latitude,
        position ? manual.longitude : longitude,
        online,
        reportIntervalSeconds,
        lastUplinkMillis);
  }
}
