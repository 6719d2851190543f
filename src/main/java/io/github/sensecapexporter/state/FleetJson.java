package io.github.sensecapexporter.state;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import io.github.sensecapexporter.fleet.Device;
import io.github.sensecapexporter.fleet.Fleet;
import io.github.sensecapexporter.fleet.Gateway;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The API's metadata in the state file: {@code {"devices":[{"eui":...,"name":...}],
 * "gateways":[...]}}. Only what describes a device is kept, not what was true when it was polled
 * (online, last uplink): that would be shown as current after a restart. Unknown members are
 * skipped, so that a later version may add some.
 */
final class FleetJson {
  private FleetJson() {}

  static void write(JsonWriter json, Fleet fleet) throws IOException {
    json.beginObject();
    json.name("devices").beginArray();
    for (Device device : fleet.devices().values()) {
      json.beginObject();
      json.name("eui").value(device.eui());
      text(json, "name", device.name());
      text(json, "group", device.group());
      text(json, "network", device.network());
      text(json, "hardware_version", device.hardwareVersion());
      text(json, "software_version", device.softwareVersion());
      if (device.latitude().isPresent()) {
        json.name("latitude").value(device.latitude().getAsDouble());
        json.name("longitude").value(device.longitude().getAsDouble());
      }
      if (device.reportIntervalSeconds().isPresent()) {
        json.name("report_interval_seconds").value(device.reportIntervalSeconds().getAsLong());
      }
      json.endObject();
    }
    json.endArray();
    json.name("gateways").beginArray();
    for (Gateway gateway : fleet.gateways().values()) {
      json.beginObject();
      json.name("eui").value(gateway.eui());
      text(json, "name", gateway.name());
      json.endObject();
    }
    json.endArray();
    json.endObject();
  }

  private static void text(JsonWriter json, String name, String value) throws IOException {
    if (!value.isEmpty()) {
      json.name(name).value(value);
    }
  }

  static Fleet read(JsonReader json) throws IOException {
    Map<String, Device> devices = new HashMap<>();
    Map<String, Gateway> gateways = new HashMap<>();
    json.beginObject();
    while (json.hasNext()) {
      switch (json.nextName()) {
        case "devices" -> {
          json.beginArray();
          while (json.hasNext()) {
            Device device = device(json);
            devices.put(device.eui(), device);
          }
          json.endArray();
        }
        case "gateways" -> {
          json.beginArray();
          while (json.hasNext()) {
            Gateway gateway = gateway(json);
            gateways.put(gateway.eui(), gateway);
          }
          json.endArray();
        }
        default -> json.skipValue();
      }
    }
    json.endObject();
    return new Fleet(devices, gateways);
  }

  private static Device device(JsonReader json) throws IOException {
    Map<String, String> texts = new HashMap<>();
    OptionalDouble latitude = OptionalDouble.empty();
    OptionalDouble longitude = OptionalDouble.empty();
    OptionalLong interval = OptionalLong.empty();
    json.beginObject();
    while (json.hasNext()) {
      String name = json.nextName();
      switch (name) {
        case "eui", "name", "group", "network", "hardware_version", "software_version" ->
            texts.put(name, json.nextString());
        case "latitude" -> latitude = OptionalDouble.of(json.nextDouble());
        case "longitude" -> longitude = OptionalDouble.of(json.nextDouble());
        case "report_interval_seconds" -> interval = OptionalLong.of(json.nextLong());
        default -> json.skipValue();
      }
    }
    json.endObject();
    String eui = eui(texts.get("eui"));
    return Device.of(eui)
        .withName(texts.getOrDefault("name", ""))
        .withGroup(texts.getOrDefault("group", ""))
        .withDetails(
            "",
            texts.getOrDefault("network", ""),
            texts.getOrDefault("hardware_version", ""),
            texts.getOrDefault("software_version", ""),
            latitude,
            longitude)
        .withStatus(Optional.empty(), interval, OptionalLong.empty());
  }

  private static Gateway gateway(JsonReader json) throws IOException {
    String eui = null;
    String name = "";
    json.beginObject();
    while (json.hasNext()) {
      switch (json.nextName()) {
        case "eui" -> eui = json.nextString();
        case "name" -> name = json.nextString();
        default -> json.skipValue();
      }
    }
    json.endObject();
    return new Gateway(eui(eui), name, Optional.empty());
  }

  private static String eui(String eui) throws StateFile.CorruptStateException {
    if (!Fleet.isEui(eui)) {
      throw new StateFile.CorruptStateException("a device without a valid EUI in the fleet");
    }
    return Fleet.normalEui(eui);
  }
}
