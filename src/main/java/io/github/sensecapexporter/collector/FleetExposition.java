package io.github.sensecapexporter.collector;

import static io.github.sensecapexporter.collector.Gauge.DEVICE;
import static io.github.sensecapexporter.collector.Gauge.LABELS_END;

import io.github.sensecapexporter.fleet.Device;
import io.github.sensecapexporter.fleet.Fleet;
import io.github.sensecapexporter.fleet.Gateway;
import java.io.IOException;
import java.util.function.Predicate;

/**
 * Writes the fleet's metadata: an info series per device and gateway, and a gauge per known value.
 * A value nobody gave is left out, never written as 0. Every family is written, with its HELP and
 * TYPE, even when it is empty, so a scrape's families do not come and go with the fleet.
 */
final class FleetExposition {
  private static final Gauge DEVICE_INFO =
      new Gauge(
          "sensecap_device_info",
          "A SenseCAP device known to the HTTP API or sensecap.devices, with its name, group,"
              + " network and versions; the value is always 1.");
  private static final Gauge LATITUDE =
      new Gauge(
          "sensecap_device_latitude_degrees",
          "The device's latitude as the platform or sensecap.devices gives it, in degrees.");
  private static final Gauge LONGITUDE =
      new Gauge(
          "sensecap_device_longitude_degrees",
          "The device's longitude as the platform or sensecap.devices gives it, in degrees.");
  private static final Gauge DEVICE_ONLINE =
      new Gauge(
          "sensecap_device_online",
          "1 if the SenseCAP platform reports the device online, else 0.");
  private static final Gauge REPORT_INTERVAL =
      new Gauge(
          "sensecap_device_report_interval_seconds",
          "How often the device reports, as the SenseCAP platform records it, in seconds.");
  private static final Gauge LAST_UPLINK =
      new Gauge(
          "sensecap_device_last_uplink_timestamp_seconds",
          "When the SenseCAP platform last heard from the device, in seconds since the epoch.");
  private static final Gauge GATEWAY_INFO =
      new Gauge(
          "sensecap_gateway_info",
          "A LoRaWAN gateway of the organisation, with its name; the value is always 1.");
  private static final Gauge GATEWAY_ONLINE =
      new Gauge(
          "sensecap_gateway_online",
          "1 if the SenseCAP platform reports the gateway online, else 0.");

  private static final byte[] DEVICE_NAME = TextOutput.utf8("\",device_name=\"");
  private static final byte[] GROUP_NAME = TextOutput.utf8("\",group_name=\"");
  private static final byte[] NETWORK = TextOutput.utf8("\",network=\"");
  private static final byte[] HARDWARE = TextOutput.utf8("\",hardware_version=\"");
  private static final byte[] SOFTWARE = TextOutput.utf8("\",software_version=\"");
  private static final byte[] GATEWAY = TextOutput.utf8("{gateway_eui=\"");
  private static final byte[] GATEWAY_NAME = TextOutput.utf8("\",gateway_name=\"");

  /** Writes a device's value in a family, after its name and labels. */
  private interface ValueWriter {
    void write(TextOutput out, Device device) throws IOException;
  }

  private FleetExposition() {}

  static void write(TextOutput out, Fleet fleet) throws IOException {
    out.write(DEVICE_INFO.header());
    for (Device device : fleet.devices().values()) {
      out.write(DEVICE_INFO.name());
      out.write(DEVICE);
      out.labelValue(device.eui());
      out.write(DEVICE_NAME);
      out.labelValue(device.name());
      out.write(GROUP_NAME);
      out.labelValue(device.group());
      out.write(NETWORK);
      out.labelValue(device.network());
      out.write(HARDWARE);
      out.labelValue(device.hardwareVersion());
      out.write(SOFTWARE);
      out.labelValue(device.softwareVersion());
      out.write(LABELS_END);
      out.write('1');
      out.write('\n');
    }
    writeDevices(
        out,
        LATITUDE,
        fleet,
        device -> device.latitude().isPresent(),
        (o, device) -> o.value(device.latitude().getAsDouble()));
    writeDevices(
        out,
        LONGITUDE,
        fleet,
        device -> device.longitude().isPresent(),
        (o, device) -> o.value(device.longitude().getAsDouble()));
    writeDevices(
        out,
        DEVICE_ONLINE,
        fleet,
        device -> device.online().isPresent(),
        (o, device) -> o.write(device.online().get() ? '1' : '0'));
    writeDevices(
        out,
        REPORT_INTERVAL,
        fleet,
        device -> device.reportIntervalSeconds().isPresent(),
        (o, device) -> o.integer(device.reportIntervalSeconds().getAsLong()));
    writeDevices(
        out,
        LAST_UPLINK,
        fleet,
        device -> device.lastUplinkMillis().isPresent(),
        (o, device) -> o.millisAsSeconds(device.lastUplinkMillis().getAsLong()));
    out.write(GATEWAY_INFO.header());
    for (Gateway gateway : fleet.gateways().values()) {
      out.write(GATEWAY_INFO.name());
      out.write(GATEWAY);
      out.labelValue(gateway.eui());
      out.write(GATEWAY_NAME);
      out.labelValue(gateway.name());
      out.write(LABELS_END);
      out.write('1');
      out.write('\n');
    }
    out.write(GATEWAY_ONLINE.header());
    for (Gateway gateway : fleet.gateways().values()) {
      if (gateway.online().isPresent()) {
        out.write(GATEWAY_ONLINE.name());
        out.write(GATEWAY);
        out.labelValue(gateway.eui());
        out.write(LABELS_END);
        out.write(gateway.online().get() ? '1' : '0');
        out.write('\n');
      }
    }
  }

  /** Writes {@code gauge} with a line for each device that {@code has} a value. */
  private static void writeDevices(
      TextOutput out, Gauge gauge, Fleet fleet, Predicate<Device> has, ValueWriter value)
      throws IOException {
    out.write(gauge.header());
    for (Device device : fleet.devices().values()) {
      if (has.test(device)) {
        out.write(gauge.name());
        out.write(DEVICE);
        out.labelValue(device.eui());
        out.write(LABELS_END);
        value.write(out, device);
        out.write('\n');
      }
    }
  }
}
