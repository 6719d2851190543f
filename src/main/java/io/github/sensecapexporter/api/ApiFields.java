package io.github.sensecapexporter.api;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.github.sensecapexporter.parse.PayloadParser;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The fields of the API's records, read liberally: numbers may be strings, absent and null are
 * unknown, and a value that is there but not valid is recorded in {@code rejected} and left out.
 */
final class ApiFields {
  private static final String[] NETWORKS = {"LoRaWAN", "NB-IoT", "2G", "LoRaPP"};

  private ApiFields() {}

  /** A string or number as text; null for anything else, JSON null and absence included. */
  static String text(JsonElement element) {
    if (element instanceof JsonPrimitive primitive && !primitive.isBoolean()) {
      return primitive.getAsString().strip();
    }
    return null;
  }

  /** A text field; absent or null is unknown, an object or a list is invalid. */
  static String name(JsonElement element, List<String> rejected) {
    if (element == null || element.isJsonNull()) {
      return "";
    }
    String text = text(element);
    if (text == null) {
      rejected.add(ApiResponses.INVALID_FIELD);
      return "";
    }
    return text;
  }

  /** A finite number, or a string holding one; null for an absent or empty one. */
  static Double number(JsonElement element) throws NumberFormatException {
    String text = text(element);
    if (text == null || text.isEmpty()) {
      if (element != null && !element.isJsonNull() && text == null) {
        throw new NumberFormatException("not a number");
      }
      return null;
    }
    double value = Double.parseDouble(text);
    if (!Double.isFinite(value)) {
      throw new NumberFormatException("not finite");
    }
    return value;
  }

  static String network(JsonElement element, List<String> rejected) {
    String text = text(element);
    if (element == null || element.isJsonNull() || "".equals(text)) {
      return "";
    }
    for (int i = 0; i < NETWORKS.length; i++) {
      if (NETWORKS[i].equalsIgnoreCase(text) || Integer.toString(i + 1).equals(text)) {
        return NETWORKS[i];
      }
    }
    rejected.add(ApiResponses.INVALID_FIELD);
    return "";
  }

  /** {@code {"latitude": 22.5, "longitude": 113.9}} or v1's {@code {"lat": "22.5", ...}}. */
  static double[] position(JsonElement element, List<String> rejected) {
    if (element == null || element.isJsonNull()) {
      return null;
    }
    if (!(element instanceof JsonObject object)) {
      rejected.add(ApiResponses.INVALID_FIELD);
      return null;
    }
    try {
      Double latitude = number(object.has("latitude") ? object.get("latitude") : object.get("lat"));
      Double longitude =
          number(object.has("longitude") ? object.get("longitude") : object.get("lon"));
      // (0, 0) is what the platform gives for a position never set: unknown, not a point at sea.
      if ((latitude == null && longitude == null)
          || (latitude != null && longitude != null && latitude == 0 && longitude == 0)) {
        return null;
      }
      if (latitude == null
          || longitude == null
          || Math.abs(latitude) > 90
          || Math.abs(longitude) > 180) {
        rejected.add(ApiResponses.INVALID_FIELD);
        return null;
      }
      return new double[] {latitude, longitude};
    } catch (NumberFormatException e) {
      rejected.add(ApiResponses.INVALID_FIELD);
      return null;
    }
  }

  static Optional<Boolean> online(JsonElement element, List<String> rejected) {
    if (element instanceof JsonPrimitive primitive && primitive.isBoolean()) {
      return Optional.of(primitive.getAsBoolean());
    }
    String text = text(element);
    if (element == null || element.isJsonNull() || "".equals(text)) {
      return Optional.empty();
    }
    if ("1".equals(text) || "0".equals(text)) {
      return Optional.of(text.equals("1"));
    }
    rejected.add(ApiResponses.INVALID_FIELD);
    return Optional.empty();
  }

  /** {@code report_frequency}, minutes, as seconds. */
  static OptionalLong reportInterval(JsonElement element, List<String> rejected) {
    try {
      Double minutes = number(element);
      if (minutes == null) {
        return OptionalLong.empty();
      }
      if (minutes > 0 && minutes <= 366 * 24 * 60) {
        return OptionalLong.of(Math.round(minutes * 60));
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    rejected.add(ApiResponses.INVALID_FIELD);
    return OptionalLong.empty();
  }

  /**
   * An ISO-8601 time with an offset, as the API gives it, or a number: milliseconds as MQTT gives
   * them, or seconds.
   */
  static OptionalLong time(JsonElement element, List<String> rejected) {
    String text = text(element);
    if (element == null || element.isJsonNull() || "".equals(text)) {
      return OptionalLong.empty();
    }
    if (text != null) {
      try {
        return OptionalLong.of(OffsetDateTime.parse(text).toInstant().toEpochMilli());
      } catch (DateTimeParseException e) {
        if (text.chars().allMatch(Character::isDigit) && text.length() <= 15) {
          long number = Long.parseLong(text);
          return OptionalLong.of(number < PayloadParser.SECONDS_BELOW ? number * 1000 : number);
        }
      }
    }
    rejected.add(ApiResponses.INVALID_FIELD);
    return OptionalLong.empty();
  }
}
