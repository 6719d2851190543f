package io.github.sensecapexporter.collector;

import io.github.sensecapexporter.fleet.Device;
import io.github.sensecapexporter.fleet.Fleet;
import io.github.sensecapexporter.fleet.Gateway;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Writes the fleet's metadata: an info series per device and gateway, and a gauge per known value.
 * A value nobody gave is left out, never written as 0. Every family is written, with its HELP and
 * TYPE, even when it is empty, so a scrape's families do not come and go with the fleet.
 */
final class FleetExposition {
  private static final Family DEVICE_INFO =
      new Family(
          "sensecap_device_info",
          "A SenseCAP device known to the HTTP API or sensecap.devices, with its name, group,"
              + " network and versions; the value is always 1.");
  private static final Family LATITUDE =
      new Family(
          "sensecap_device_latitude_degrees",
          "The device's latitude as the platform or sensecap.devices gives it, in degrees.");
  private static final Family LONGITUDE =
      new Family(
          "sensecap_device_longitude_degrees",
          "The device's longitude as the platform or sensecap.devices gives it, in degrees.");
  private static final Family DEVICE_ONLINE =
      new Family(
          "sensecap_device_online",
          "1 if the SenseCAP platform reports the device online, else 0.");
  private static final Family REPORT_INTERVAL =
      new Family(
          "sensecap_device_report_interval_seconds",
          "How often the device reports, as the SenseCAP platform records it, in seconds.");
  private static final Family LAST_UPLINK =
      new Family(
          "sensecap_device_last_uplink_timestamp_seconds",
          "When the SenseCAP platform last heard from the device, in seconds since the epoch.");
  private static final Family GATEWAY_INFO =
      new Family(
          "sensecap_gateway_info",
          "A LoRaWAN gateway of the organisation, with its name; the value is always 1.");
  private static final Family GATEWAY_ONLINE =
      new Family(
          "sensecap_gateway_online",
          "1 if the SenseCAP platform reports the gateway online, else 0.");

  private static final byte[] DEVICE = TextOutput.utf8("{device_eui=\"");
  private static final byte[] DEVICE_NAME = TextOutput.utf8("\",device_name=\"");
  private static final byte[] GROUP_NAME = TextOutput.utf8("\",group_name=\"");
  private static final byte[] NETWORK = TextOutput.utf8("\",network=\"");
  private static final byte[] HARDWARE = TextOutput.utf8("\",hardware_version=\"");
  private static final byte[] SOFTWARE = TextOutput.utf8("\",software_version=\"");
  private static final byte[] GATEWAY = TextOutput.utf8("{gateway_eui=\"");
  private static final byte[] GATEWAY_NAME = TextOutput.utf8("\",gateway_name=\"");
  private static final byte[] LABELS_END = TextOutput.utf8("\"} ");

  private record Family(byte[] header, byte[] name) {
    Family(String name, String help) {
      this(
          TextOutput.utf8("# HELP " + name + " " + help + "\n# TYPE " + name + " gauge\n"),
          TextOutput.utf8(name));
    }
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
    writeDoubles(out, LATITUDE, fleet, Device::latitude);
    writeDoubles(out, LONGITUDE, fleet, Device::longitude);
    writeFlags(out, DEVICE_ONLINE, fleet, Device::online);
    out.write(REPORT_INTERVAL.header());
    for (Device device : fleet.devices().values()) {
      OptionalLong seconds = device.reportIntervalSeconds();
      if (seconds.isPresent()) {
        deviceLine(out, REPORT_INTERVAL, device);
        out.integer(seconds.getAsLong());
        out.write('\n');
      }
    }
    out.write(LAST_UPLINK.header());
    for (Device device : fleet.devices().values()) {
      OptionalLong millis = device.lastUplinkMillis();
      if (millis.isPresent()) {
        deviceLine(out, LAST_UPLINK, device);
        out.millisAsSeconds(millis.getAsLong());
        out.write('\n');
      }
    }
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

  private static void writeDoubles(
      TextOutput out, Family family, Fleet fleet, Function<Device, OptionalDouble> field)
      throws IOException {
    out.write(family.header());
    for (Device device : fleet.devices().values()) {
      OptionalDouble value = field.apply(device);
      if (value.isPresent()) {
        deviceLine(out, family, device);
        out.value(value.getAsDouble());
        out.write('\n');
      }
    }
  }

  private static void writeFlags(
      TextOutput out, Family family, Fleet fleet, Function<Device, Optional<Boolean>> field)
      throws IOException {
    out.write(family.header());
    for (Device device : fleet.devices().values()) {
      Optional<Boolean> value = field.apply(device);
      if (value.isPresent()) {
        deviceLine(out, family, device);
        out.write(value.get() ? '1' : '0');
        out.write('\n');
      }
    }
  }

  private static void deviceLine(TextOutput out, Family family, Device device) throws IOException {
    out.write(family.name());
    out.write(DEVICE);
    out.labelValue(device.eui());
    out.write(LABELS_END);
  }
}
