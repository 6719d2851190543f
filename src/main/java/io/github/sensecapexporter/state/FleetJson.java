package io.github.sensecapexporter.state;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
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
 * skipped, so that a later version may add some. A fleet that is damaged is not worth the series
 * beside it: it is dropped whole, and the next poll reads it again.
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

  /**
   * The fleet of a parsed {@code fleet} member.
   *
   * @throws DamagedFleetException when it is not one this class writes (a bad EUI, a wrong type)
   */
  static Fleet read(JsonElement element) throws DamagedFleetException {
    try {
      Map<String, Device> devices = new HashMap<>();
      Map<String, Gateway> gateways = new HashMap<>();
      JsonObject fleet = element.getAsJsonObject();
      for (JsonElement entry : array(fleet, "devices")) {
        Device device = device(entry.getAsJsonObject());
        devices.put(device.eui(), device);
      }
      for (JsonElement entry : array(fleet, "gateways")) {
        JsonObject gateway = entry.getAsJsonObject();
        String eui = eui(gateway);
        gateways.put(eui, new Gateway(eui, text(gateway, "name"), Optional.empty()));
      }
      return new Fleet(devices, gateways);
    } catch (IllegalStateException | UnsupportedOperationException | NumberFormatException e) {
      // Gson's getAs... on a value of another type.
      throw new DamagedFleetException("a value of the wrong type");
    }
  }

  /** A fleet member that is JSON but not a fleet. */
  static final class DamagedFleetException extends Exception {
    private static final long serialVersionUID = 1L;

    DamagedFleetException(String message) {
      super(message);
    }
  }

  private static JsonArray array(JsonObject fleet, String name) {
    JsonElement value = fleet.get(name);
    return value == null ? new JsonArray() : value.getAsJsonArray();
  }

  private static Device device(JsonObject json) throws DamagedFleetException {
    OptionalDouble latitude = number(json, "latitude");
    OptionalDouble longitude = number(json, "longitude");
    JsonElement interval = json.get("report_interval_seconds");
    return Device.listed(eui(json), text(json, "name"), text(json, "group"))
        .withDetails(
            "",
            text(json, "network"),
            text(json, "hardware_version"),
            text(json, "software_version"),
            latitude,
            longitude)
        .withStatus(
            Optional.empty(),
            interval == null ? OptionalLong.empty() : OptionalLong.of(interval.getAsLong()),
            OptionalLong.empty());
  }

  private static String text(JsonObject json, String name) {
    JsonElement value = json.get(name);
    return value == null ? "" : value.getAsString();
  }

  private static OptionalDouble number(JsonObject json, String name) {
    JsonElement value = json.get(name);
    return value == null ? OptionalDouble.empty() : OptionalDouble.of(value.getAsDouble());
  }

  private static String eui(JsonObject json) throws DamagedFleetException {
    JsonElement eui = json.get("eui");
    String text = eui == null ? null : eui.getAsString();
    if (!Fleet.isEui(text)) {
      throw new DamagedFleetException("a device without a valid EUI");
    }
    return Fleet.normalEui(text);
  }
}
